export { backfillGlobalLog, type BackfillOptions, type BackfillProgress } from './backfill';
export { GlobalLogIndexer, type GlobalLogIndexerOptions, type IndexOutcome } from './indexer';
export {
  createGlobalLogIndexerHandler,
  type GlobalLogIndexerHandler,
  type GlobalLogIndexerHandlerOptions,
} from './indexer-handler';
export { IndexerParking, type IndexerParkingOptions, type SettledStream } from './indexer-parking';
export {
  DEFAULT_POSITIONS_PER_EPOCH,
  Epochs,
  type GlobalLogTables,
  type LogHead,
  type TypeTally,
} from './layout';
export { GLOBAL_LOG_EVENTS_INDEXED_METRIC, GLOBAL_LOG_LAG_METRIC } from './metric-names';
export { planPage, type PagePlan, type PendingEntry } from './page-plan';
export {
  GlobalLogReader,
  InvalidLogReadError,
  MAX_READ_LIMIT,
  type GlobalLogReaderOptions,
  type LogReference,
  type LogSlice,
  type LoggedEvent,
  type ReadLogOptions,
} from './reader';
export {
  GlobalLogSubscription,
  SubscriptionStoppedError,
  TableCheckpoint,
  type GlobalLogSubscriptionOptions,
  type SubscriptionCheckpoint,
  type SubscriptionStart,
} from './subscription';
