/**
 * History that ages: the archive of aged streams in S3, read back transparently by every reader
 * of the events table, the archiver that moves them, and the retention rules that say when.
 */
export { archiveHandler, archiverFromEnv } from './archive-function.js';
export { StreamArchiver, type ArchiveRun, type ArchivedStream } from './archiver.js';
export { ArchivedEvents, archiveFromEnv, type ArchiveSource } from './archived-events.js';
export { EventArchive } from './event-archive.js';
export { dueReason, ruleFor, type RetentionRule } from './retention.js';
export { segmentKey, type SegmentRange, type StoredItem } from './segments.js';
export { streamState, type StreamState } from './stream-state.js';
