import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';
import { startLocalS3, type LocalS3 } from '../../local/s3/server';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    s3Endpoint: string;
  }
}

interface SharedServers {
  started: Promise<[DynamoDbLocal, LocalS3]>;
  users: number;
}

/**
 * Every project that lists this setup loads its own copy of the module, in the one main
 * process: the instance lives on `globalThis` so the integration and end-to-end projects share
 * it, and the last one to finish stops it.
 */
const SHARED = Symbol.for('dynamo-event-sourcing.test.servers');
const shared = globalThis as typeof globalThis & { [SHARED]?: SharedServers };

/**
 * One in-memory DynamoDB Local and one local S3 server (on a temporary directory) for the whole
 * run; each test file uses its own tables and buckets.
 */
export default async function setup(project: TestProject) {
  // This process is Node 20 by design (Lambda runs 22+); the SDK's notice about it is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const instance = (shared[SHARED] ??= {
    started: Promise.all([startDynamoDbLocal(), startLocalS3()]),
    users: 0,
  });
  instance.users += 1;
  const [dynamoDb, s3] = await instance.started;
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  return async () => {
    instance.users -= 1;
    if (instance.users > 0) return;
    delete shared[SHARED];
    await s3.stop();
    await dynamoDb.stop();
  };
}
