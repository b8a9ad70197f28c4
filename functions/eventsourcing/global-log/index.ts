export { backfillGlobalLog, type BackfillOptions, type BackfillProgress } from './backfill.js';
export { GlobalLogIndexer, type GlobalLogIndexerOptions, type IndexOutcome } from './indexer.js';
export {
  createGlobalLogIndexerHandler,
  type GlobalLogIndexerHandler,
  type GlobalLogIndexerHandlerOptions,
} from './indexer-handler.js';
export {
  IndexerParking,
  type IndexerParkingOptions,
  type SettledStream,
} from './indexer-parking.js';
export {
  DEFAULT_POSITIONS_PER_EPOCH,
  Epochs,
  type GlobalLogTables,
  type LogHead,
  type TypeTally,
} from './layout.js';
export { planPage, type PagePlan, type PendingEntry } from './page-plan.js';
export {
  DanglingLogReferenceError,
  GlobalLogReader,
  InvalidLogReadError,
  MAX_READ_LIMIT,
  type GlobalLogReaderOptions,
  type LogReference,
  type LogSlice,
  type LoggedEvent,
  type ReadLogOptions,
} from './reader.js';
export {
  GlobalLogSubscription,
  SubscriptionStoppedError,
  SubscriptionWithoutParkingError,
  TableCheckpoint,
  type GlobalLogSubscriptionOptions,
  type SubscriptionCheckpoint,
  type SubscriptionRedriveOutcome,
  type SubscriptionStart,
} from './subscription.js';
export {
  TableParking,
  type ParkedPosition,
  type SubscriptionParking,
} from './subscription-parking.js';
