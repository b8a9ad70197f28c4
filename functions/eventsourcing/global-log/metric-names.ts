/**
 * Emitted by the indexer once per batch: milliseconds between the newest event it indexed being
 * recorded and its page being appended. The CDK app alarms on it and graphs it.
 */
export const GLOBAL_LOG_LAG_METRIC = 'GlobalLogLag';

/** Emitted by the indexer once per batch: events given a position. */
export const GLOBAL_LOG_EVENTS_INDEXED_METRIC = 'GlobalLogEventsIndexed';
