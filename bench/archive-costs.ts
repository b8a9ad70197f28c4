import { STORAGE_PRICES } from './prices';
import type { ArchiveResult } from './sections/archive';
import type { TableFootprint } from './sections/archive-storage';

/** AWS bills storage per GB of 2^30 bytes. */
const GB = 2 ** 30;

/** Dollars a month for a table's items on the Standard table class. */
const tableDollars = (table: TableFootprint) =>
  ((table.bytes + table.items * STORAGE_PRICES.dynamoDbItemOverheadBytes) / GB) *
  STORAGE_PRICES.dynamoDbStandard;

/** Storage a month, in dollars, before archiving and after (table, and segments per class). */
export interface MonthlyStorage {
  readonly before: number;
  readonly hotAfter: number;
  readonly s3Standard: number;
  readonly s3StandardIa: number;
  readonly glacierInstantRetrieval: number;
}

/** The measured history's storage at published prices, per million of its events. */
export function monthlyStoragePerMillionEvents(storage: ArchiveResult['storage']): MonthlyStorage {
  const { segments } = storage;
  const scale = 1e6 / storage.events;
  return {
    before: tableDollars(storage.before) * scale,
    hotAfter: tableDollars(storage.after) * scale,
    s3Standard: (segments.bytes / GB) * STORAGE_PRICES.s3Standard * scale,
    s3StandardIa: (segments.bytesAtMinimum / GB) * STORAGE_PRICES.s3StandardIa * scale,
    glacierInstantRetrieval:
      (segments.bytesAtMinimum / GB) * STORAGE_PRICES.glacierInstantRetrieval * scale,
  };
}
