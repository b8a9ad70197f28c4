import type { GlobalLogTables } from '../eventsourcing/global-log';
import { tableNameFromEnv } from '../eventsourcing/declaration';

/** The global log's tables as a function finds them in its environment. */
export const globalLogTablesFromEnv = (): GlobalLogTables => ({
  globalLog: tableNameFromEnv('globalLog'),
  events: tableNameFromEnv('events'),
});
