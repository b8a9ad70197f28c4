import { STORAGE_PRICES } from './prices';
import type { ArchiveResult } from './sections/archive';
import type { TableFootprint } from './sections/archive-storage';

/** AWS bills storage per GB of 2^30 bytes. */
const GB = 2 ** 30;

/** Dollars a month for a table's items on the Standard table class. */
const tableDollars = (table: TableFootprint) =>
  ((table.bytes + table.items * STORAGE_PRICES.dynamoDbItemOverheadBytes) / GB) *
  STORAGE_PRICES.dynamoDbStandard;

/** The archived history's storage a month, in dollars, before and after archiving. */
export interface MonthlyStorage {
  readonly before: number;
  readonly hotAfter: number;
  readonly s3Standard: number;
  readonly s3StandardIa: number;
  readonly glacierInstantRetrieval: number;
}

/** The measured history's storage at published prices, and the same per million events. */
export function monthlyStorage(storage: ArchiveResult['storage']): {
  readonly history: MonthlyStorage;
  readonly perMillionEvents: MonthlyStorage;
} {
  const { segments } = storage;
  const history: MonthlyStorage = {
    before: tableDollars(storage.before),
    hotAfter: tableDollars(storage.after),
    s3Standard: (segments.bytes / GB) * STORAGE_PRICES.s3Standard,
    s3StandardIa: (segments.bytesAtMinimum / GB) * STORAGE_PRICES.s3StandardIa,
    glacierInstantRetrieval:
      (segments.bytesAtMinimum / GB) * STORAGE_PRICES.glacierInstantRetrieval,
  };
  const scale = 1e6 / storage.events;
  const perMillionEvents: MonthlyStorage = {
    before: history.before * scale,
    hotAfter: history.hotAfter * scale,
    s3Standard: history.s3Standard * scale,
    s3StandardIa: history.s3StandardIa * scale,
    glacierInstantRetrieval: history.glacierInstantRetrieval * scale,
  };
  return { history, perMillionEvents };
}
