/** The archive section's storage part: the events table and the segments, bytes and dollars. */
import { monthlyStorage, type MonthlyStorage } from './archive-costs';
import { integer, kib, table } from './format';
import { STORAGE_PRICES } from './prices';
import type { ArchiveResult } from './sections/archive';

export const dollars = (value: number) => `$${value < 0.01 ? value.toFixed(5) : value.toFixed(2)}`;

interface Row {
  readonly label: string;
  readonly items: string;
  readonly bytes: number;
  readonly dollars: number;
}

/** The table before and after, and the segments at each storage class's price. */
function rows(storage: ArchiveResult['storage'], history: MonthlyStorage): Row[] {
  const { before, after, segments } = storage;
  const objects = `${integer.format(segments.objects)} objects`;
  return [
    {
      label: 'Events table before',
      items: integer.format(before.items),
      bytes: before.bytes,
      dollars: history.before,
    },
    {
      label: 'Events table after',
      items: integer.format(after.items),
      bytes: after.bytes,
      dollars: history.hotAfter,
    },
    {
      label: 'Archive segments, S3 Standard',
      items: objects,
      bytes: segments.bytes,
      dollars: history.s3Standard,
    },
    {
      label: 'Archive segments, S3 Standard-IA (billed at 128 KB each at least)',
      items: objects,
      bytes: segments.bytesAtMinimum,
      dollars: history.s3StandardIa,
    },
    {
      label: 'Archive segments, Glacier Instant Retrieval (the same)',
      items: objects,
      bytes: segments.bytesAtMinimum,
      dollars: history.glacierInstantRetrieval,
    },
  ];
}

export function storagePart(a: ArchiveResult): string[] {
  const { storage } = a;
  const { history, perMillionEvents } = monthlyStorage(storage);
  const per = (pick: (m: MonthlyStorage) => number) => dollars(pick(perMillionEvents));
  const afterStandard = history.hotAfter + history.s3Standard;
  return [
    '### Storage before and after archiving',
    '',
    'Bytes of the history’s items in the events table as DynamoDB sizes them ' +
      '(`item-size.ts`: events, heads and archive marks), and the segments’ bytes in S3 ' +
      '(gzip-compressed JSON Lines, one segment per stream here). Prices: US East (N. Virginia), ' +
      `as published on ${STORAGE_PRICES.noted}, per GB (2^30 bytes) and month: DynamoDB Standard ` +
      `table class $${STORAGE_PRICES.dynamoDbStandard} (each item billed ` +
      `${STORAGE_PRICES.dynamoDbItemOverheadBytes} bytes more than its size; the free 25 GB ` +
      `left out), S3 Standard $${STORAGE_PRICES.s3Standard}, S3 Standard-IA ` +
      `$${STORAGE_PRICES.s3StandardIa} and S3 Glacier Instant Retrieval ` +
      `$${STORAGE_PRICES.glacierInstantRetrieval}, the last two billing every object as at ` +
      `least 128 KB. The global log and the seal records are not archived and left out.`,
    '',
    table(
      ['', 'Items', 'Bytes', 'Bytes per event', 'Dollars a month (this history)'],
      rows(storage, history).map((row) => [
        row.label,
        row.items,
        kib(row.bytes),
        integer.format(row.bytes / storage.events),
        dollars(row.dollars),
      ]),
    ),
    '',
    `The table keeps **${(storage.after.bytes / storage.before.bytes).toFixed(3)}×** of its ` +
      `bytes; the segments hold the archived items in ` +
      `${(storage.segments.bytes / storage.before.bytes).toFixed(3)}× of the bytes the table ` +
      `held. Per million events of this shape and month: ${per((m) => m.before)} in the table ` +
      `before, ${per((m) => m.hotAfter + m.s3Standard)} after (${per((m) => m.hotAfter)} table, ` +
      `${per((m) => m.s3Standard)} S3 Standard), **${(afterStandard / history.before).toFixed(3)}×**. ` +
      'Short streams make small segments (here ' +
      `${kib(storage.segments.bytes / storage.segments.objects)} each): billed as 128 KB, they ` +
      `cost ${per((m) => m.s3StandardIa)} in Standard-IA and ${per((m) => m.glacierInstantRetrieval)} ` +
      'in Glacier Instant Retrieval, more than in Standard, so a lifecycle transition pays only for ' +
      'segments above about 128 KB × (S3 Standard-IA price ÷ S3 Standard price); S3 lifecycle ' +
      'rules by default leave objects under 128 KB in place anyway.',
  ];
}
