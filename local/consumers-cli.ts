/**
 * Operator commands for stream consumers: `npm run consumers -- <command>` (see USAGE);
 * `npm run projections` is the same command.
 *
 * Works against the local stack by default (DynamoDB Local on DYNAMODB_PORT, tables prefixed
 * `local-`). With TABLE_* variables set (as the Lambda functions have them) and no
 * DYNAMODB_ENDPOINT, it works against those tables in AWS with the caller's credentials.
 */
// First: it silences the SDK's Node.js version notice before any module loads the SDK.
import { runCli, terminalIo, useLocalStackByDefault } from './cli-support';
import {
  type ConsumerHost,
  type ConsumerRuntime,
  tableNameFromEnv,
} from '../functions/eventsourcing';
import { functions, streamHosts } from '../functions/system';

/** Every consumer of every declared stream host, by name. */
async function declaredConsumers(): Promise<Map<string, ConsumerRuntime>> {
  const { loadHandler } = await import('./stream-consumers');
  const consumers = new Map<string, ConsumerRuntime>();
  for (const key of Object.keys(streamHosts) as (keyof typeof streamHosts)[]) {
    const host = (await loadHandler(functions[key])) as unknown as ConsumerHost;
    for (const [name, runtime] of host.runtimes()) consumers.set(name, runtime);
  }
  return consumers;
}

runCli(async () => {
  useLocalStackByDefault();
  const { GlobalLogReader, createDynamoDbClient, findCorruptEvents } =
    await import('../functions/eventsourcing');
  const { domainEvents } = await import('../functions/domain-events');
  const { globalLogTablesFromEnv } = await import('../functions/global-log/tables');
  const { runConsumersCommand } = await import('./consumers-commands');
  const client = createDynamoDbClient();
  // Events reach a projection as stored: its runtime upcasts and parses them, parking what fails.
  const log = new GlobalLogReader({ client, tables: globalLogTablesFromEnv() });
  return runConsumersCommand(process.argv.slice(2), await declaredConsumers(), log, {
    ...terminalIo(),
    corruptEvents: () => findCorruptEvents(client, tableNameFromEnv('events'), domainEvents),
  });
});
