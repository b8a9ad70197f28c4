import type { LoadedAggregate, StreamAppend } from '../eventsourcing';
import { accountDecider, type AccountState } from '../accounts/decider';
import type { AccountEvent } from '../accounts/events';
import { transferDecider, type TransferCommand, type TransferState } from './decider';
import { transferEvents, type TransferEvent } from './events';

/** An aggregate's state with the stream version it was loaded at. */
export type Loaded<State> = Pick<LoadedAggregate<State>, 'streamId' | 'version' | 'state'>;

export interface TransferAccounts {
  readonly source: Loaded<AccountState>;
  readonly target: Loaded<AccountState>;
}

/** Events for a stream, to be appended at the version it was loaded at. */
export const appendAt = (
  loaded: Loaded<unknown>,
  events: StreamAppend['events'],
): StreamAppend => ({
  streamId: loaded.streamId,
  events,
  expectedVersion: loaded.version === 0 ? 'no_stream' : loaded.version,
});

/** What a posting appends: each stream's events. */
export interface Posting {
  readonly transfer: readonly TransferEvent[];
  readonly source: readonly AccountEvent[];
  readonly target: readonly AccountEvent[];
}

/**
 * Posts a transfer as one double-entry: `TransferPosted` on the new transfer stream, the
 * source's withdrawal and the target's deposit, to be appended in one transaction (see
 * `postingAppends`). Throws the `DomainError` of the first rule that refuses it: the transfer's
 * (same account, id taken), the source's (missing, closed, insufficient funds), then the
 * target's (missing, closed, balance limit).
 */
export function planPosting(
  command: TransferCommand,
  transfer: Loaded<TransferState>,
  { source, target }: TransferAccounts,
): Posting {
  const { amount } = command;
  const transferId = transferEvents.idOf(transfer.streamId);
  return {
    transfer: transferDecider.decide(command, transfer.state),
    source: accountDecider.decide({ type: 'WithdrawMoney', amount, transferId }, source.state),
    target: accountDecider.decide({ type: 'DepositMoney', amount, transferId }, target.state),
  };
}

/**
 * The posting's appends, each stream at the version it was loaded at: the money leaves one
 * account exactly when it reaches the other, and a write to either account since the load
 * fails the whole posting, to be decided again on the new balances.
 */
export const postingAppends = (
  posting: Posting,
  transfer: Loaded<TransferState>,
  { source, target }: TransferAccounts,
): StreamAppend[] => [
  appendAt(transfer, posting.transfer),
  appendAt(source, posting.source),
  appendAt(target, posting.target),
];
