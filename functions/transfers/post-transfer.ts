import {
  ConcurrencyError,
  fold,
  type AppendResult,
  type EventSourcingStorage,
  type HandleOptions,
  type HandleResult,
  type LoadedAggregate,
} from '../eventsourcing';
import { DEFAULT_RETRY } from '../eventsourcing/command-handler';
import type { RunsCommands } from '../eventsourcing/http';
import { retryWithBackoff, type RetryPolicy } from '../eventsourcing/retry';
import { StreamLanes } from '../eventsourcing/stream-lanes';
import { accountDecider, type AccountState } from '../accounts/decider';
import { accountEvents, type AccountEvent } from '../accounts/events';
import { transferDecider, type TransferCommand, type TransferState } from './decider';
import { planPosting, postingAppends } from './posting';
import { transferStreams, type TransferStreams } from './service';

/**
 * Runs transfer postings for the command route: loads the transfer and both accounts, plans the
 * posting and appends it in one transaction, together with the writes the route commits with
 * it (its `Idempotency-Key` and answer). A lost race on any of the three streams reloads and
 * decides again, within the retry policy; a pinned version (`If-Match`) is not retried.
 *
 * Postings this process receives run one after another per account (postings on other accounts
 * beside them), as commands do per stream: side by side they would only race for the same
 * versions. A posting waits for its accounts' lanes in the order of their ids, so two postings
 * between the same accounts in opposite directions never wait for each other.
 */
export class TransferPostings implements RunsCommands<TransferCommand, TransferState> {
  private readonly streams: TransferStreams;
  private readonly lanes = new StreamLanes();

  constructor(
    storage: EventSourcingStorage,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.streams = transferStreams(storage);
  }

  handle(
    streamId: string,
    command: TransferCommand,
    options: HandleOptions<TransferState, unknown>,
  ): Promise<HandleResult<TransferState>> {
    const post = () =>
      retryWithBackoff(this.retry, () => this.post(streamId, command, options), {
        retryable: (error) =>
          error instanceof ConcurrencyError && options.expectedVersion === undefined,
        ...(options.beforeRetry ? { beforeRetry: options.beforeRetry } : {}),
      });
    const accounts = [...new Set([command.fromAccountId, command.toAccountId])].sort();
    return accounts.reduceRight<() => Promise<HandleResult<TransferState>>>(
      (inner, accountId) => () => this.lanes.run(accountEvents.streamId(accountId), inner),
      post,
    )();
  }

  private async post(
    streamId: string,
    command: TransferCommand,
    options: HandleOptions<TransferState, unknown>,
  ): Promise<HandleResult<TransferState>> {
    const { transfers, accounts, withAccounts } = this.streams;
    const [transfer, source, target] = await Promise.all([
      transfers.load(streamId),
      accounts.load(accountEvents.streamId(command.fromAccountId)),
      accounts.load(accountEvents.streamId(command.toAccountId)),
    ]);
    const pinned = options.expectedVersion;
    if (pinned !== undefined && transfer.version !== pinned) {
      throw new ConcurrencyError(streamId, pinned, transfer.version);
    }
    await options.guard?.(transfer);
    const posting = planPosting(command, transfer, { source, target });
    const state = fold(transferDecider, transfer.state, posting.transfer);
    const writes = options.commitWith?.({
      streamId,
      version: transfer.version + posting.transfer.length,
      state,
      events: posting.transfer,
    });
    const [posted, debited, credited] = await withAccounts.appendToStreams(
      postingAppends(posting, transfer, { source, target }),
      {
        ...(options.metadata ? { metadata: options.metadata } : {}),
        ...(writes ? { alongside: writes } : {}),
      },
    );
    // Accounts that only transfers write get their snapshots too.
    await Promise.all([
      accounts.maybeSnapshot(after(source, posting.source, debited!)),
      accounts.maybeSnapshot(after(target, posting.target, credited!)),
    ]);
    return { streamId, version: posted!.version, state, events: posted!.events };
  }
}

/** An account as loaded, moved on by the events the posting appended to it. */
function after(
  loaded: LoadedAggregate<AccountState>,
  events: readonly AccountEvent[],
  appended: AppendResult,
): LoadedAggregate<AccountState> {
  const last = appended.events.at(-1);
  return {
    ...loaded,
    state: fold(accountDecider, loaded.state, events),
    version: appended.version,
    lastRecordedAt: last?.recordedAt,
    lastEvent: last,
  };
}
