import { type GlobalLogTables, tableNameFromEnv } from '../eventsourcing';

/** The global log's tables as a function finds them in its environment. */
export const globalLogTablesFromEnv = (): GlobalLogTables => ({
  globalLog: tableNameFromEnv('globalLog'),
  events: tableNameFromEnv('events'),
});
