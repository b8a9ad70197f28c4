import type { GlobalLogTables } from '../eventsourcing';
import { tableNameFromEnv } from '../system';

/** The global log's tables as a function finds them in its environment. */
export const globalLogTablesFromEnv = (): GlobalLogTables => ({
  globalLog: tableNameFromEnv('globalLog'),
  events: tableNameFromEnv('events'),
});
