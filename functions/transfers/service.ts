import {
  CommandHandler,
  ConcurrencyError,
  backoffDelay,
  repositoryFor,
  Upcasters,
  type AggregateRepository,
  type EventSourcingStorage,
  type RetryPolicy,
} from '../eventsourcing';
import { accountStreamId, accountUpcasters } from '../accounts/events';
import { accountRepository, type AccountRepository } from '../accounts/service';
import { transferDecider, type TransferCommand, type TransferState } from './decider';
import { transferStreamId, transferUpcasters, type TransferEvent } from './events';
import { planTransferStep } from './process-manager';

export type TransferRepository = AggregateRepository<TransferCommand, TransferState, TransferEvent>;

/** Transfers are short streams (at most three events): loads replay them, no snapshots. */
export function transferRepository(storage: EventSourcingStorage): TransferRepository {
  return repositoryFor(storage, transferDecider, { upcasters: transferUpcasters });
}

export function transferCommandHandler(storage: EventSourcingStorage) {
  return new CommandHandler(transferRepository(storage));
}

const STEP_RETRY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 10, maxDelayMs: 1000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drives transfers forward: loads the transfer and both accounts, plans the next step and
 * appends it atomically, until the transfer is completed or failed. Safe to run any number of
 * times for the same transfer, concurrently too: every step is conditional on the versions it
 * was planned from, and a lost race only means reloading and planning again.
 */
export class TransferProcess {
  private readonly transfers: TransferRepository;
  private readonly accounts: AccountRepository;

  constructor(
    storage: EventSourcingStorage,
    private readonly retry: RetryPolicy = STEP_RETRY,
  ) {
    // Each step appends account events too: stamp those at the accounts' schema versions.
    this.transfers = repositoryFor(storage, transferDecider, {
      upcasters: Upcasters.combine(transferUpcasters, accountUpcasters),
    });
    this.accounts = accountRepository(storage);
  }

  /** Runs the transfer's remaining steps and returns its final state. */
  async advance(transferId: string): Promise<TransferState> {
    let conflicts = 0;
    for (;;) {
      const transfer = await this.transfers.load(transferStreamId(transferId));
      const { state } = transfer;
      if (state.status !== 'requested' && state.status !== 'debited') return state;
      const [source, target] = await Promise.all([
        this.accounts.load(accountStreamId(state.fromAccountId)),
        this.accounts.load(accountStreamId(state.toAccountId)),
      ]);
      try {
        await this.transfers.store.appendToStreams(planTransferStep(transfer, { source, target }), {
          metadata: { correlationId: transferId, causationId: transferId },
        });
        conflicts = 0;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || ++conflicts >= this.retry.maxAttempts) {
          throw error;
        }
        await sleep(backoffDelay(this.retry, conflicts));
      }
    }
  }
}
