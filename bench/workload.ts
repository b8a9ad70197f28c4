import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { EventCatalogue, type Decider, type EventMetadata } from '../functions/eventsourcing';
import { prepareEvents } from '../functions/eventsourcing/event-items';

/**
 * The one event every benchmark writes, whichever side writes it: a deposit with a small payload
 * and the metadata a command handler records (about 300 bytes as a DynamoDB item).
 */
export type DepositData = {
  readonly amount: number;
  readonly currency: string;
  readonly reference: string;
};

export type AccountEvent = { readonly type: 'Deposited'; readonly data: DepositData };

/** The deposit's schema: the framework checks it on every append and parses it on every read. */
export const benchEvents = EventCatalogue.of({
  Deposited: z.object({ amount: z.int(), currency: z.string(), reference: z.string() }),
});

export type AccountCommand =
  | { readonly type: 'deposit'; readonly amount: number }
  | { readonly type: 'depositMany'; readonly count: number; readonly amount: number };

export interface AccountState {
  readonly balance: number;
  readonly deposits: number;
}

export const EVENT_METADATA: EventMetadata = {
  correlationId: '01JBENCHCORRELATION0000000',
  commandId: '01JBENCHCOMMAND00000000000',
  actor: 'user:bench',
};

export const depositData = (amount: number): DepositData => ({
  amount,
  currency: 'EUR',
  reference: `INV-2026-${String(amount).padStart(6, '0')}`,
});

export const depositEvent = (amount: number): AccountEvent => ({
  type: 'Deposited',
  data: depositData(amount),
});

export const accountEvolve = (state: AccountState, data: DepositData): AccountState => ({
  balance: state.balance + data.amount,
  deposits: state.deposits + 1,
});

export const account: Decider<AccountCommand, AccountState, AccountEvent> = {
  initialState: { balance: 0, deposits: 0 },
  evolve: (state, event) => accountEvolve(state, event.data),
  decide: (command) =>
    command.type === 'deposit'
      ? [depositEvent(command.amount)]
      : Array.from({ length: command.count }, () => depositEvent(command.amount)),
};

/**
 * The baseline's item: exactly the attributes and sizes the event store writes for a deposit,
 * with only the per-write attributes filled in per call. Its event id is a counter spelled out
 * in the 26 characters of a ULID: the cheapest id that is unique within the process.
 */
export function rawEventItems(): (
  streamId: string,
  version: number,
) => Record<string, AttributeValue> {
  const [template] = prepareEvents('template', 1, [{ ...depositEvent(100), schemaVersion: 1 }], {
    recordedAt: new Date().toISOString(),
    newEventId: () => '0'.repeat(26),
    metadata: EVENT_METADATA,
    previousHash: undefined,
  });
  const { item } = template!;
  let written = 0;
  return (streamId, version) => ({
    ...item,
    streamId: { S: streamId },
    version: { N: String(version) },
    eventId: { S: String(++written).padStart(26, '0') },
    recordedAt: { S: new Date().toISOString() },
  });
}

/**
 * Per-worker stream positions: worker `w` writes to its own stream and moves to a fresh one
 * after `eventsPerStream` events, so loads stay short and workers never contend.
 */
export class WorkerStreams {
  private readonly counts: number[] = [];

  constructor(
    private readonly prefix: string,
    private readonly eventsPerStream = Number.POSITIVE_INFINITY,
  ) {}

  /** The stream worker `worker` writes next, and how many events it already holds. */
  next(worker: number): { streamId: string; version: number } {
    const count = this.counts[worker] ?? 0;
    this.counts[worker] = count + 1;
    const generation = Number.isFinite(this.eventsPerStream)
      ? Math.floor(count / this.eventsPerStream)
      : 0;
    return {
      streamId: `${this.prefix}-${worker}-${generation}`,
      version: Number.isFinite(this.eventsPerStream) ? count % this.eventsPerStream : count,
    };
  }
}
