import {
  createDynamoDbClient,
  createS3Client,
  bucketNameFromEnv,
  S3CheckpointStore,
  tableNameFromEnv,
  ConfigurationError,
} from '../eventsourcing';

/** Names the log in every checkpoint: the stack in AWS, `local` on this machine. */
export const HISTORY_LOG_VARIABLE = 'HISTORY_LOG';

/** The log's name, as the CDK app or the local stack put it in the environment. */
export function historyLogFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const log = env[HISTORY_LOG_VARIABLE];
  if (!log) throw new ConfigurationError(`Environment variable ${HISTORY_LOG_VARIABLE} is not set`);
  return log;
}

/** What sealing, proofs and verification use, as a function finds it in its environment. */
export function historyFromEnv() {
  const client = createDynamoDbClient();
  return {
    client,
    tables: {
      events: tableNameFromEnv('events'),
      globalLog: tableNameFromEnv('globalLog'),
      seals: tableNameFromEnv('seals'),
    },
    checkpoints: new S3CheckpointStore(createS3Client(), bucketNameFromEnv('checkpoints')),
  };
}
