import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

interface SharedDynamoDbLocal {
  started: Promise<DynamoDbLocal>;
  users: number;
}

/**
 * Every project that lists this setup loads its own copy of the module, in the one main
 * process: the instance lives on `globalThis` so the integration and end-to-end projects share
 * it, and the last one to finish stops it.
 */
const SHARED = Symbol.for('dynamo-event-sourcing.test.dynamoDbLocal');
const shared = globalThis as typeof globalThis & { [SHARED]?: SharedDynamoDbLocal };

/** One in-memory DynamoDB Local for the whole run; each test file uses its own tables. */
export default async function setup(project: TestProject) {
  // This process is Node 20 by design (Lambda runs 22+); the SDK's notice about it is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const instance = (shared[SHARED] ??= { started: startDynamoDbLocal(), users: 0 });
  instance.users += 1;
  const dynamoDb = await instance.started;
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  return async () => {
    instance.users -= 1;
    if (instance.users > 0) return;
    delete shared[SHARED];
    await dynamoDb.stop();
  };
}
