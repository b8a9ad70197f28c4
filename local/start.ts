import { parseArgs } from 'node:util';
import { startLocalStack } from './stack';

const { values } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: process.env.LOCAL_IN_MEMORY === 'true' },
    'data-dir': { type: 'string', default: process.env.LOCAL_DATA_DIR ?? '.data/dynamodb' },
    'dynamodb-port': { type: 'string', default: process.env.DYNAMODB_PORT ?? '8000' },
  },
});

async function main(): Promise<void> {
  const inMemory = values['in-memory'];
  const stack = await startLocalStack({
    ...(inMemory ? {} : { dataDir: values['data-dir'] }),
    dynamoDbPort: Number(values['dynamodb-port']),
  });
  console.log(
    [
      `DynamoDB Local: ${stack.dynamoDbEndpoint} (${inMemory ? 'in memory' : `data in ${values['data-dir']}`})`,
      `Tables: ${Object.values(stack.tableNames).join(', ')}`,
      'Press Ctrl-C to stop.',
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
