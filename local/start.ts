import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { assertJavaAvailable } from './java';
import { isPortTaken } from './ports';
import type { LocalStack } from './stack';

const { values } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: process.env.LOCAL_IN_MEMORY === 'true' },
    'data-dir': { type: 'string', default: process.env.LOCAL_DATA_DIR ?? '.data/dynamodb' },
    'dynamodb-port': { type: 'string', default: process.env.DYNAMODB_PORT ?? '8000' },
    's3-port': { type: 'string', default: process.env.S3_PORT ?? '4568' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    // A free port unless one is asked for; the address is printed at start.
    'event-bus-port': { type: 'string', default: process.env.EVENT_BUS_PORT ?? '0' },
    // One JSON object per log line, as in CloudWatch; the default when CI is set.
    'json-logs': { type: 'boolean', default: Boolean(process.env.CI) },
  },
});

// Set before the stack's modules load: locally, consumers log every event and emit lag metrics
// only when asked to (e.g. POWERTOOLS_LOG_LEVEL=DEBUG npm start), and logs are laid out for a
// person to read unless JSON is asked for.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_SERVICE_NAME ??= 'local-stack';
if (!values['json-logs']) process.env.POWERTOOLS_DEV ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** How long a stop may take before the process exits anyway (DynamoDB Local is killed with it). */
const STOP_DEADLINE_MS = 10_000;
/** How often the stack checks that the process that started it is still there. */
const PARENT_CHECK_MS = 500;
/** The process that started the stack (npm, under `npm start`). */
const STARTED_BY = process.ppid;

/** The physical bucket names, the write-once ones marked. */
async function bucketList(names: LocalStack['bucketNames']): Promise<string> {
  const { buckets } = await import('../functions/system');
  return Object.entries(names)
    .map(([key, name]) =>
      buckets[key as keyof typeof buckets].writeOnce ? `${name} (write-once)` : name,
    )
    .join(', ');
}

/** Fails fast, before DynamoDB Local starts, with what to do about it. */
async function checkPrerequisites(port: number): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be a TCP port number, not '${values.port}'`);
  }
  assertJavaAvailable();
  if (await isPortTaken(port)) {
    throw new Error(
      `Port ${port} is already in use, so the API cannot listen on it (is another \`npm start\` ` +
        `running?). Stop whatever uses it, or pick another port: PORT=${port + 1} npm start`,
    );
  }
}

/**
 * npm passes SIGINT and SIGTERM on to the script it runs, so a Ctrl-C at the terminal, which
 * signals npm and the stack alike, reaches the stack twice within moments: a signal repeated
 * within this time is that echo, not a second request.
 */
const ECHO_MS = 2000;

/**
 * Stops the stack once, whatever asks first: a signal, the end of the process that started it,
 * or DynamoDB Local going away; later requests change nothing, except a second signal (other
 * than npm's echo of the first), which exits at once, as does a stop that takes too long.
 */
function stopper(stopStack: () => Promise<void>) {
  let first: { reason: string; at: number } | undefined;
  const stop = (reason: string, exitCode = 0) => {
    if (first) return;
    first = { reason, at: Date.now() };
    console.log(`\n${reason}, stopping…`);
    setTimeout(() => {
      console.error(`Not stopped after ${STOP_DEADLINE_MS / 1000} s: exiting now`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    stopStack().then(
      () => {
        console.log('Stopped.');
        process.exit(exitCode);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  const signal = (name: NodeJS.Signals) => {
    const reason = `${name} received`;
    if (!first) return stop(reason);
    if (reason === first.reason && Date.now() - first.at < ECHO_MS) return;
    console.error(`${reason} while stopping: exiting now`);
    process.exit(1);
  };
  return { stop, signal };
}

/**
 * `npm start` runs this process as npm's own child (the script `exec`s node in place of npm's
 * shell), so npm passes the SIGINT and SIGTERM it gets on to the stack. When the process that
 * started the stack is killed outright (SIGKILL leaves it no chance to pass anything on), this
 * process is orphaned, and stops too, even when that happened while the stack was starting.
 */
function stopWhenOrphaned(stop: (reason: string) => void): void {
  const check = () => {
    if (process.ppid !== STARTED_BY) {
      stop(`The process that started the stack (${STARTED_BY}) is gone`);
    }
  };
  check();
  setInterval(check, PARENT_CHECK_MS).unref();
}

async function main(): Promise<void> {
  const inMemory = values['in-memory'];
  const port = Number(values.port);
  await checkPrerequisites(port);
  const { startLocalStack } = await import('./stack');
  const running: { stack?: LocalStack } = {};
  const shutdown = stopper(async () => running.stack?.stop());
  const stack = await startLocalStack({
    ...(inMemory ? {} : { dataDir: values['data-dir'] }),
    // The key signing checkpoints stays beside the data even in memory: the CLI finds it there.
    signingKeysDir: resolve(values['data-dir'], '..', 'signing'),
    dynamoDbPort: Number(values['dynamodb-port']),
    s3Port: Number(values['s3-port']),
    httpPort: port,
    httpLog: (line) => console.log(line),
    eventBusPort: Number(values['event-bus-port']),
    onDynamoDbExit: (description) => shutdown.stop(description, 1),
  });
  running.stack = stack;
  const api = `http://localhost:${port}`;
  console.log(
    [
      `API:            ${api}   (try every route at ${api}/docs)`,
      `Studio:         ${api}/studio`,
      `DynamoDB Local: ${stack.dynamoDbEndpoint} (${inMemory ? 'in memory' : `data in ${values['data-dir']}`})`,
      `Tables:         ${Object.values(stack.tableNames).join(', ')}`,
      `S3:             ${stack.s3Endpoint} (${inMemory ? 'data in a temporary directory, removed on stop' : `data in ${join(values['data-dir'], '..', 's3')}`}; path-style, key and secret "local")`,
      `Buckets:        ${await bucketList(stack.bucketNames)}`,
      `Signing key:    ${stack.signingKeysDir} (checkpoints are sealed every 5 minutes; npm run es -- checkpoint seals now)`,
      `Event bus:      ${stack.eventBus.endpoint}/events lists the published integration events` +
        (stack.eventBusFile ? `; also appended to ${stack.eventBusFile}` : ''),
      '',
      'Try:',
      `  curl -s ${api}/health`,
      `  curl -s -X POST ${api}/accounts -H 'content-type: application/json' -d '{"ownerId":"alice"}'`,
      '',
      'Requests come from a trusted IAM caller; add -H "X-Local-Principal: alice" to act as the',
      'JWT caller alice (and -H "X-Local-Groups: operators" to make her an operator).',
      '',
      'The README walks through the whole API. Press Ctrl-C to stop.',
    ].join('\n'),
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => shutdown.signal(signal));
  }
  stopWhenOrphaned((reason) => shutdown.stop(reason));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
