/**
 * Operator commands for projections: `npm run projections -- <command>` (see USAGE).
 *
 * Works against the local stack by default (DynamoDB Local on DYNAMODB_PORT, tables prefixed
 * `local-`). With TABLE_* variables set (as the Lambda functions have them) and no
 * DYNAMODB_ENDPOINT, it works against those tables in AWS with the caller's credentials.
 */
import { domainEvents } from '../functions/domain-events';
import {
  GlobalLogReader,
  createDynamoDbClient,
  findCorruptEvents,
  type ProjectionHandler,
  type ProjectionRuntime,
} from '../functions/eventsourcing';
import { globalLogTablesFromEnv } from '../functions/global-log/tables';
import {
  functions,
  streamConsumers,
  tableNameFromEnv,
  type FunctionDeclaration,
} from '../functions/system';
import { runCli, terminalIo, useLocalStackByDefault } from './cli-support';
import { runProjectionsCommand } from './projections-commands';
import { loadHandler } from './stream-consumers';

const isProjectionHandler = (handler: unknown): handler is ProjectionHandler =>
  typeof handler === 'function' &&
  'projection' in handler &&
  typeof (handler as { runtime?: unknown }).runtime === 'function';

/** Every projection behind a declared stream consumer, by name. */
async function declaredProjections(): Promise<Map<string, ProjectionRuntime>> {
  const declarations: Readonly<Record<string, FunctionDeclaration>> = functions;
  const projections = new Map<string, ProjectionRuntime>();
  for (const consumer of streamConsumers) {
    const declaration = declarations[consumer.function];
    if (!declaration) continue;
    const handler = await loadHandler(declaration);
    if (isProjectionHandler(handler)) projections.set(handler.projection.name, handler.runtime());
  }
  return projections;
}

runCli(async () => {
  useLocalStackByDefault();
  // Events reach a projection as stored: its runtime upcasts them, parking what it cannot.
  const log = new GlobalLogReader({
    client: createDynamoDbClient(),
    tables: globalLogTablesFromEnv(),
  });
  return runProjectionsCommand(process.argv.slice(2), await declaredProjections(), log, {
    ...terminalIo(),
    corruptEvents: () =>
      findCorruptEvents(createDynamoDbClient(), tableNameFromEnv('events'), domainEvents),
  });
});
