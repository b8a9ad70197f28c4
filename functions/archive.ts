import { archiveHandler } from './eventsourcing/archive';
import { retentionOf } from './eventsourcing/declaration';
import { contexts } from './system';

/** The scheduled archiver: moves the streams the contexts' retention rules make due to S3. */
export const handler = archiveHandler({ rules: retentionOf(contexts) });
