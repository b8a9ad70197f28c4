/** The report's part on sealing checkpoints: requests, capacity, time and price. */
import { figure, integer, table } from './format';
import {
  CHECKPOINTS_PER_MONTH,
  SEAL_MINUTES,
  callPrice,
  leastLogReadUnits,
  monthOfSealing,
  perThousand,
} from './history-costs';
import { KMS_PRICES, ON_DEMAND_PRICES, S3_REQUEST_PRICES } from './prices';
import type { HistoryResult } from './sections/history';

/** Dollars, with enough digits to show small amounts. */
export const dollars = (value: number) =>
  value >= 1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(2)}`;

function sealingTable(h: HistoryResult): string {
  return table(
    [
      'Events per checkpoint',
      'Time to seal, ms',
      'DynamoDB reads, read units',
      'DynamoDB writes, write units',
      'Units per 1,000 events (R / W)',
      'S3 PUT / GET / LIST',
      'KMS `Sign`',
      'Price',
    ],
    h.checkpoints.sealing.map((seal) => {
      const d = seal.calls.dynamoDb;
      const s3 = seal.calls.s3;
      return [
        integer.format(seal.events),
        figure(seal.ms),
        `${figure(d.reads)}, ${figure(d.readUnits)}`,
        `${figure(d.writes)}, ${figure(d.writeUnits)}`,
        `${integer.format(perThousand(d.readUnits.median, seal.events))} / ` +
          integer.format(perThousand(d.writeUnits.median, seal.events)),
        `${figure(s3.put)} / ${figure(s3.get)} / ${figure(s3.list)}`,
        figure(seal.calls.signs),
        dollars(callPrice(seal.calls).total),
      ];
    }),
  );
}

function sealingNotes(h: HistoryResult): string[] {
  const c = h.checkpoints;
  const largest = c.sealing.at(-1)!;
  const least = leastLogReadUnits(1000, c.logBytesPerPosition);
  return [
    `- **Writes**: one \`seals\` item per run of a stream’s versions in the checkpoint (up to ` +
      `1,000 versions an item), for proofs, and the head: with ${c.streams} streams, ` +
      `${c.streams + 1} writes whatever the checkpoint’s size, so per event they shrink as ` +
      'checkpoints grow. A checkpoint in which every event is on a stream of its own writes an ' +
      'item per event.',
    `- **Reads**: the log’s pages, 1,000 positions per read (\`readLeaves\`), each read a ` +
      'consistent `Query` of up to 100 pages (the reader’s page limit). The pages hold ' +
      `${integer.format(c.logBytesPerPosition)} ` +
      `bytes per position, so 1,000 positions take at least ${least} read units; a \`Query\` ` +
      'that has more pages behind the positions it needs reads on up to 1 MB, which is why a ' +
      `checkpoint of ${integer.format(largest.events)} events reads ` +
      `${integer.format(perThousand(largest.calls.dynamoDb.readUnits.median, largest.events))} ` +
      'units per 1,000 events.',
    '- **Time**: it grows little with the checkpoint’s size; the writes above, as many at every ' +
      'size and 16 at a time, are a large part of it (over 30 streams instead of 300, a trial ' +
      'while building this section sealed in about half the time).',
    '- **S3 and KMS**: a `GET` of the next checkpoint’s key (a new one is not there yet), the ' +
      '`PUT` with `If-None-Match: *`, and a `GET` that finds no further checkpoint; one `Sign` ' +
      'per checkpoint, and a `GetPublicKey` once per cold start of the sealer’s function.',
  ];
}

function monthTable(h: HistoryResult): string {
  return table(
    [
      'Events per checkpoint',
      'Events per second',
      'Events per month',
      'DynamoDB',
      'S3',
      'KMS requests',
      'KMS key',
      'Per month',
    ],
    h.checkpoints.sealing.map((seal) => {
      const month = monthOfSealing(seal);
      return [
        integer.format(month.eventsPerCheckpoint),
        month.eventsPerSecond.toFixed(1),
        integer.format(month.eventsPerMonth),
        dollars(month.requests.dynamoDb),
        dollars(month.requests.s3),
        dollars(month.requests.kms),
        dollars(month.key),
        `**${dollars(month.total)}**`,
      ];
    }),
  );
}

export function sealingPart(h: HistoryResult): string[] {
  const runs = h.checkpoints.sealing.map((s) => `${s.runs} of ${integer.format(s.events)}`);
  return [
    '### Checkpoints',
    '',
    `The history grows checkpoint by checkpoint: events spread evenly over ${h.checkpoints.streams} ` +
      'streams (one append per stream and round), given their positions by the indexer in ' +
      'batches of 100 as its host delivers them, then one `CheckpointSealer.seal()`, timed and ' +
      `counted: the checkpoint, then the look that finds nothing more to seal. Checkpoints ` +
      `(${runs.join(', ')} events) alternate in size, after one untimed checkpoint of ` +
      `${integer.format(h.checkpoints.sealing[0]!.events)}. DynamoDB requests are counted as in ` +
      'section 2, S3 requests likewise, signatures by wrapping the signer; capacity is the larger ' +
      'of what DynamoDB Local reported and what the published rules give from the items written ' +
      'or returned (DynamoDB charges every byte a `Query` reads, returned or not). The price ' +
      `is on-demand DynamoDB (section 2), S3 Standard requests ($${S3_REQUEST_PRICES.putOrListPerThousand} ` +
      `per 1,000 \`PUT\` or \`LIST\`, $${S3_REQUEST_PRICES.getPerThousand} per 1,000 \`GET\`) and ` +
      `KMS ($${KMS_PRICES.asymmetricRequestPerTenThousand} per 10,000 \`Sign\` requests with a ` +
      `P-256 key), in ${ON_DEMAND_PRICES.region}, as noted on ${S3_REQUEST_PRICES.noted}.`,
    '',
    sealingTable(h),
    '',
    ...sealingNotes(h),
    '',
    `A month of sealing every ${SEAL_MINUTES} minutes (the default \`checkpointMinutes\`: ` +
      `${integer.format(CHECKPOINTS_PER_MONTH)} runs in 30 days), every run sealing as many ` +
      'events as one checkpoint measured above, over as many streams; the key costs ' +
      `$${KMS_PRICES.keyPerMonth} a month (the free tiers, the sealer’s Lambda time and the ` +
      'storage of checkpoints are left out):',
    '',
    monthTable(h),
  ];
}
