/**
 * Operator commands for projections: `npm run projections -- <command>` (see USAGE).
 *
 * Works against the local stack by default (DynamoDB Local on DYNAMODB_PORT, tables prefixed
 * `local-`). With TABLE_* variables set (as the Lambda functions have them) and no
 * DYNAMODB_ENDPOINT, it works against those tables in AWS with the caller's credentials.
 */
import { domainEvents } from '../functions/domain-events';
import {
  createDynamoDbClient,
  findCorruptEvents,
  type ProjectionHandler,
  type ProjectionRuntime,
} from '../functions/eventsourcing';
import {
  functions,
  prefixedTableNames,
  streamConsumers,
  tableEnvironment,
  tableNameEnvVar,
  tableNameFromEnv,
  type FunctionDeclaration,
} from '../functions/system';
import { runProjectionsCommand } from './projections-commands';
import { loadHandler } from './stream-consumers';

function useLocalStackByDefault(): void {
  if (process.env[tableNameEnvVar('events')]) return;
  process.env.DYNAMODB_ENDPOINT ??= `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? '8000'}`;
  process.env.AWS_REGION ??= 'local';
  Object.assign(process.env, tableEnvironment(prefixedTableNames('local-')));
}

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

async function main(): Promise<number> {
  useLocalStackByDefault();
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  const terminal = process.stderr.isTTY;
  return runProjectionsCommand(process.argv.slice(2), await declaredProjections(), {
    print: (line) => {
      if (terminal) process.stderr.write('\r\x1b[K');
      console.log(line);
    },
    progress: (line) => {
      if (terminal) process.stderr.write(`\r\x1b[K${line}`);
      else console.error(line);
    },
    signal: interrupt.signal,
    corruptEvents: () =>
      findCorruptEvents(createDynamoDbClient(), tableNameFromEnv('events'), domainEvents),
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
