import { parseArgs } from 'node:util';
import { assertJavaAvailable } from './java';
import { isPortTaken } from './ports';

const { values } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: process.env.LOCAL_IN_MEMORY === 'true' },
    'data-dir': { type: 'string', default: process.env.LOCAL_DATA_DIR ?? '.data/dynamodb' },
    'dynamodb-port': { type: 'string', default: process.env.DYNAMODB_PORT ?? '8000' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    // A free port unless one is asked for; the address is printed at start.
    'event-bus-port': { type: 'string', default: process.env.EVENT_BUS_PORT ?? '0' },
  },
});

// Set before the stack's modules load: locally, projections log every event and emit lag
// metrics only when asked to (e.g. POWERTOOLS_LOG_LEVEL=DEBUG npm start).
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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

async function main(): Promise<void> {
  const inMemory = values['in-memory'];
  const port = Number(values.port);
  await checkPrerequisites(port);
  const { startLocalStack } = await import('./stack');
  const stack = await startLocalStack({
    ...(inMemory ? {} : { dataDir: values['data-dir'] }),
    dynamoDbPort: Number(values['dynamodb-port']),
    httpPort: port,
    httpLog: (line) => console.log(line),
    eventBusPort: Number(values['event-bus-port']),
  });
  const api = `http://localhost:${port}`;
  console.log(
    [
      `API:            ${api}`,
      `DynamoDB Local: ${stack.dynamoDbEndpoint} (${inMemory ? 'in memory' : `data in ${values['data-dir']}`})`,
      `Tables:         ${Object.values(stack.tableNames).join(', ')}`,
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
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received, stopping…`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
