import { bucketNameFromEnv, tableNameFromEnv } from '../../declaration/resource-names.js';
import { createDynamoDbClient } from '../../dynamodb-client.js';
import { createS3Client } from '../../s3-client.js';
import { S3CheckpointStore } from '../checkpoint-store.js';

/** The client, the log's tables and the checkpoints, as a function finds them in its environment. */
function checkpointsFromEnv() {
  return {
    client: createDynamoDbClient(),
    checkpoints: new S3CheckpointStore(createS3Client(), bucketNameFromEnv('checkpoints')),
  };
}

/** What the sealer works on: the log's pages, the seals table and the checkpoints. */
export const sealingFromEnv = () => ({
  ...checkpointsFromEnv(),
  tables: { globalLog: tableNameFromEnv('globalLog'), seals: tableNameFromEnv('seals') },
});

/** What proofs read: the events as stored besides the log, the seals and the checkpoints. */
export const provingFromEnv = () => ({
  ...checkpointsFromEnv(),
  tables: {
    events: tableNameFromEnv('events'),
    globalLog: tableNameFromEnv('globalLog'),
    seals: tableNameFromEnv('seals'),
  },
});
