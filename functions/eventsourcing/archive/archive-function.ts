import { bucketNameFromEnv, tableNameFromEnv } from '../declaration/resource-names.js';
import { createDynamoDbClient } from '../dynamodb-client.js';
import { once } from '../http/once.js';
import { logger } from '../logger.js';
import { createS3Client } from '../s3-client.js';
import { StreamArchiver, type ArchiveRun } from './archiver.js';
import { EventArchive } from './event-archive.js';
import type { RetentionRule } from './retention.js';

/** The archiver a function finds in its environment: the events and seals tables, the bucket. */
export const archiverFromEnv = (rules: readonly RetentionRule[]) =>
  new StreamArchiver({
    client: createDynamoDbClient(),
    tables: { events: tableNameFromEnv('events'), seals: tableNameFromEnv('seals') },
    archive: new EventArchive(createS3Client(), bucketNameFromEnv('archive')),
    rules,
  });

/**
 * The scheduled archiver's handler (`archiveStreams`): archives every stream the contexts'
 * retention rules (`retentionOf(contexts)`) make due. A run cut short (timeout, crash) is taken
 * up by the next one.
 */
export function archiveHandler(options: { readonly rules: readonly RetentionRule[] }) {
  const archiver = once(() => archiverFromEnv(options.rules));
  return async (): Promise<{ streams: number; events: number }> => {
    const run: ArchiveRun = await archiver().run();
    logger.info('Archive run', { streams: run.streams.length, events: run.events });
    return { streams: run.streams.length, events: run.events };
  };
}
