/**
 * Operator commands for the global log: `npm run global-log -- <command>` (see USAGE).
 *
 * Works against the local stack by default (DynamoDB Local on DYNAMODB_PORT, tables prefixed
 * `local-`). With TABLE_* variables set and no DYNAMODB_ENDPOINT, it works against those tables
 * in AWS with the caller's credentials.
 */
import {
  createDynamoDbClient,
  GlobalLogIndexer,
  GlobalLogReader,
  TableCheckpoint,
  tableNameFromEnv,
} from '../functions/eventsourcing';
import { globalLogTablesFromEnv } from '../functions/global-log/tables';
import { domainEvents } from '../functions/domain-events';
import { runCli, terminalIo, useLocalStackByDefault } from './cli-support';
import { runGlobalLogCommand } from './global-log-commands';

runCli(() => {
  useLocalStackByDefault();
  const client = createDynamoDbClient();
  const tables = globalLogTablesFromEnv();
  return runGlobalLogCommand(
    process.argv.slice(2),
    {
      reader: new GlobalLogReader({ client, tables, catalogue: domainEvents }),
      indexer: new GlobalLogIndexer({ client, tables }),
      eventsTable: tables.events,
      checkpoint: (name) =>
        new TableCheckpoint(client, tableNameFromEnv('subscriptionCheckpoints'), name),
    },
    terminalIo(),
  );
});
