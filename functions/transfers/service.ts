import {
  ConcurrencyError,
  EventCatalogue,
  EventStore,
  repositoryFor,
  type AggregateRepository,
  type EventMetadata,
  type EventSourcingStorage,
  type LoadedAggregate,
} from '../eventsourcing';
import { retryWithBackoff, type RetryPolicy } from '../eventsourcing/retry';
import { accountEvents } from '../accounts/events';
import { accountRepository, type AccountRepository } from '../accounts/service';
import { transferDecider, type TransferCommand, type TransferState } from './decider';
import { transferEvents, type TransferEvent } from './events';
import { planTransferStep } from './process-manager';

export type TransferRepository = AggregateRepository<TransferCommand, TransferState, TransferEvent>;

/** Transfers are short streams (at most three events): loads replay them, no snapshots. */
export function transferRepository(storage: EventSourcingStorage): TransferRepository {
  return repositoryFor(storage, transferDecider, { catalogue: transferEvents.catalogue });
}

/** What transfers read and write: their own streams, the accounts, and both in one transaction. */
export interface TransferStreams {
  readonly transfers: TransferRepository;
  readonly accounts: AccountRepository;
  readonly withAccounts: EventStore;
}

export const transferStreams = (storage: EventSourcingStorage): TransferStreams => ({
  transfers: transferRepository(storage),
  accounts: accountRepository(storage),
  withAccounts: new EventStore({
    client: storage.client,
    tableName: storage.eventsTable,
    catalogue: EventCatalogue.combine(transferEvents.catalogue, accountEvents.catalogue),
    ...(storage.personalData ? { personalData: storage.personalData } : {}),
  }),
});

const STEP_RETRY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 10, maxDelayMs: 1000 };

/**
 * Metadata of a step's events: the step is caused by the transfer's last event, and keeps the
 * correlation id and actor of the request that started the transfer (every event of the
 * transfer carries them on).
 */
export function stepMetadata(transfer: LoadedAggregate<TransferState>): EventMetadata {
  const cause = transfer.lastEvent;
  if (!cause) throw new Error(`Transfer ${transfer.streamId} was loaded without its last event`);
  const { correlationId, actor } = cause.metadata;
  return {
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(actor === undefined ? {} : { actor }),
    causationId: cause.eventId,
  };
}

/**
 * The retiring process manager, for transfers requested before transfers were posted at once
 * (see posting.ts). Drives them forward: loads the transfer and both accounts, plans the next step and
 * appends it atomically, until the transfer is completed or failed. Safe to run any number of
 * times for the same transfer, concurrently too: every step is conditional on the versions it
 * was planned from, and a lost race only means reloading and planning again.
 */
export class TransferProcess {
  private readonly streams: TransferStreams;

  constructor(
    storage: EventSourcingStorage,
    private readonly retry: RetryPolicy = STEP_RETRY,
  ) {
    this.streams = transferStreams(storage);
  }

  /** Runs the transfer's remaining steps and returns its final state. */
  async advance(transferId: string): Promise<TransferState> {
    for (;;) {
      const state = await retryWithBackoff(this.retry, () => this.step(transferId), {
        retryable: (error) => error instanceof ConcurrencyError,
      });
      if (state) return state;
    }
  }

  /** Takes the transfer's next step; returns its state once it has none left. */
  private async step(transferId: string): Promise<TransferState | undefined> {
    const { transfers, accounts, withAccounts } = this.streams;
    const transfer = await transfers.load(transferEvents.streamId(transferId));
    const { state } = transfer;
    if (state.status !== 'requested' && state.status !== 'debited') return state;
    const [source, target] = await Promise.all([
      accounts.load(accountEvents.streamId(state.fromAccountId)),
      accounts.load(accountEvents.streamId(state.toAccountId)),
    ]);
    // Each step appends to a transfer stream and an account stream at once.
    await withAccounts.appendToStreams(planTransferStep(transfer, { source, target }), {
      metadata: stepMetadata(transfer),
    });
    return undefined;
  }
}
