/**
 * Operator commands for stream consumers: `npm run consumers -- <command>` (see USAGE);
 * `npm run projections` is the same command.
 *
 * Works against the local stack by default (DynamoDB Local on DYNAMODB_PORT, tables prefixed
 * `local-`). With TABLE_* variables set (as the Lambda functions have them) and no
 * DYNAMODB_ENDPOINT, it works against those tables in AWS with the caller's credentials.
 */
import type { ConsumerHost, ConsumerRuntime } from '../functions/eventsourcing';
import {
  functions,
  prefixedTableNames,
  streamHosts,
  tableEnvironment,
  tableNameEnvVar,
} from '../functions/system';

// This is Node 20 by design (Lambda runs 22+); the SDK's notice about it is noise here. Set
// before the modules that load the SDK are imported below.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function useLocalStackByDefault(): void {
  if (process.env[tableNameEnvVar('events')]) return;
  process.env.DYNAMODB_ENDPOINT ??= `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? '8000'}`;
  process.env.AWS_REGION ??= 'local';
  Object.assign(process.env, tableEnvironment(prefixedTableNames('local-')));
}

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

async function main(): Promise<number> {
  useLocalStackByDefault();
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  const terminal = process.stderr.isTTY;
  const { runConsumersCommand } = await import('./consumers-commands');
  return runConsumersCommand(process.argv.slice(2), await declaredConsumers(), {
    print: (line) => {
      if (terminal) process.stderr.write('\r\x1b[K');
      console.log(line);
    },
    progress: (line) => {
      if (terminal) process.stderr.write(`\r\x1b[K${line}`);
      else console.error(line);
    },
    signal: interrupt.signal,
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
