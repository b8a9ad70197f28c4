/** The archive section's storage part: the events table and the segments, bytes and dollars. */
import { monthlyStoragePerMillionEvents, type MonthlyStorage } from './archive-costs';
import { integer, kib, table } from './format';
import { STORAGE_PRICES } from './prices';
import type { ArchiveResult } from './sections/archive';

export const dollars = (value: number) =>
  value === 0 ? '$0' : `$${value < 0.1 ? value.toPrecision(2) : value.toFixed(2)}`;

interface Row {
  readonly label: string;
  readonly items: string;
  readonly bytes: number;
  readonly dollars: number;
}

/** The table before and after, and the segments at each storage class's price. */
function rows(storage: ArchiveResult['storage'], costs: MonthlyStorage): Row[] {
  const { before, after, segments } = storage;
  const objects = `${integer.format(segments.objects)} objects`;
  return [
    {
      label: 'Events table before',
      items: integer.format(before.items),
      bytes: before.bytes,
      dollars: costs.before,
    },
    {
      label: 'Events table after',
      items: integer.format(after.items),
      bytes: after.bytes,
      dollars: costs.hotAfter,
    },
    {
      label: 'Archive segments, S3 Standard',
      items: objects,
      bytes: segments.bytes,
      dollars: costs.s3Standard,
    },
    {
      label: 'Archive segments, S3 Standard-IA (billed at 128 KB each at least)',
      items: objects,
      bytes: segments.bytesAtMinimum,
      dollars: costs.s3StandardIa,
    },
    {
      label: 'Archive segments, Glacier Instant Retrieval (the same)',
      items: objects,
      bytes: segments.bytesAtMinimum,
      dollars: costs.glacierInstantRetrieval,
    },
  ];
}

export function storagePart(a: ArchiveResult): string[] {
  const { storage } = a;
  const costs = monthlyStoragePerMillionEvents(storage);
  const afterStandard = costs.hotAfter + costs.s3Standard;
  /** The segment size above which a class with a 128 KB minimum costs less than Standard. */
  const breakEven = (price: number) =>
    kib((STORAGE_PRICES.minimumBillableObjectBytes * price) / STORAGE_PRICES.s3Standard);
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
      ['', 'Items', 'Bytes', 'Bytes per event', 'Dollars a month per million events'],
      rows(storage, costs).map((row) => [
        row.label,
        row.items,
        kib(row.bytes),
        integer.format(row.bytes / storage.events),
        dollars(row.dollars),
      ]),
    ),
    '',
    `The table keeps **${(storage.after.bytes / storage.before.bytes).toFixed(3)}×** of its ` +
      'bytes; the segments hold the archived items in ' +
      `${(storage.segments.bytes / storage.before.bytes).toFixed(3)}× of the bytes the table ` +
      `held. A month of storage per million events of this shape: ${dollars(costs.before)} ` +
      `before, ${dollars(afterStandard)} after (table and S3 Standard), ` +
      `**${(afterStandard / costs.before).toFixed(3)}×**. Short streams make small segments ` +
      `(here ${kib(storage.segments.bytes / storage.segments.objects)} each); billed as 128 KB, ` +
      'they cost more in Standard-IA and Glacier Instant Retrieval than in Standard. A ' +
      'transition pays only for segments above about ' +
      `${breakEven(STORAGE_PRICES.s3StandardIa)} (Standard-IA) or ` +
      `${breakEven(STORAGE_PRICES.glacierInstantRetrieval)} (Glacier Instant Retrieval), ` +
      'retrieval fees aside, and S3 lifecycle rules by default leave objects under 128 KB ' +
      'where they are: long streams, or segments that gather many streams, are what the cheaper ' +
      'classes are for.',
  ];
}
