import { sharedFunctions } from '../functions/infrastructure';
import { readUnits } from './request-counter';
import { KMS_PRICES, dollarsPerMillion, kmsSignDollars, s3Dollars } from './prices';
import type { ServiceCallSpreads } from './sections/history-counters';
import type { SealingResult } from './sections/history-sealing';

/** Minutes between sealer runs by default (the `checkpointMinutes` setting). */
export const SEAL_MINUTES = sharedFunctions.sealCheckpoints.scheduleMinutes;

/** Sealer runs in a 30-day month at the default schedule. */
export const CHECKPOINTS_PER_MONTH = (30 * 24 * 60) / SEAL_MINUTES;

/** Dollars one run of the measured calls costs, per service. */
export interface CallPrice {
  readonly dynamoDb: number;
  readonly s3: number;
  readonly kms: number;
  readonly total: number;
}

/** The price of the median run's calls (on-demand DynamoDB, S3 Standard, KMS `Sign`). */
export function callPrice(calls: ServiceCallSpreads): CallPrice {
  const dynamoDb =
    dollarsPerMillion(calls.dynamoDb.readUnits.median, calls.dynamoDb.writeUnits.median) / 1e6;
  const s3 = s3Dollars({
    put: calls.s3.put.median,
    get: calls.s3.get.median,
    list: calls.s3.list.median,
  });
  const kms = kmsSignDollars(calls.signs.median);
  return { dynamoDb, s3, kms, total: dynamoDb + s3 + kms };
}

/** A month of sealing at the default schedule, each run sealing as many events as `seal`. */
export interface MonthOfSealing {
  readonly eventsPerCheckpoint: number;
  readonly eventsPerSecond: number;
  readonly eventsPerMonth: number;
  /** Requests at the measured cost, every run of the month. */
  readonly requests: CallPrice;
  /** The signing key's monthly charge. */
  readonly key: number;
  readonly total: number;
}

export function monthOfSealing(seal: SealingResult): MonthOfSealing {
  const perCheckpoint = callPrice(seal.calls);
  const month = (dollars: number) => dollars * CHECKPOINTS_PER_MONTH;
  const requests: CallPrice = {
    dynamoDb: month(perCheckpoint.dynamoDb),
    s3: month(perCheckpoint.s3),
    kms: month(perCheckpoint.kms),
    total: month(perCheckpoint.total),
  };
  return {
    eventsPerCheckpoint: seal.events,
    eventsPerSecond: seal.events / (SEAL_MINUTES * 60),
    eventsPerMonth: seal.events * CHECKPOINTS_PER_MONTH,
    requests,
    key: KMS_PRICES.keyPerMonth,
    total: requests.total + KMS_PRICES.keyPerMonth,
  };
}

/** Units per 1,000 events of `events`. */
export const perThousand = (units: number, events: number) => (units * 1000) / events;

/** The least a consistent read of `events` positions of the log can cost, in read units. */
export const leastLogReadUnits = (events: number, bytesPerPosition: number) =>
  readUnits(events * bytesPerPosition);
