import {
  bucketNameFromEnv,
  createDynamoDbClient,
  createS3Client,
  S3CheckpointStore,
  tableNameFromEnv,
} from '../eventsourcing';

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
