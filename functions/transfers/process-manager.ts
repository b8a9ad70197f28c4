import { DomainError, type StreamAppend } from '../eventsourcing';
import { accountDecider, type AccountCommand, type AccountState } from '../accounts/decider';
import type { TransferState } from './decider';
import { transferEvents, type TransferEvent } from './events';
import { appendAt, type Loaded, type TransferAccounts } from './posting';

/** The account's events for a command, or the business rule that refused it. */
function tryAccount(
  command: AccountCommand,
  account: AccountState,
): { events: StreamAppend['events'] } | { refusal: DomainError } {
  try {
    return { events: accountDecider.decide(command, account) };
  } catch (error) {
    if (error instanceof DomainError) return { refusal: error };
    throw error;
  }
}

const failed = (refusal: DomainError, refunded: boolean): TransferEvent => ({
  type: 'TransferFailed',
  data: { reason: refusal.code, message: refusal.message, refunded },
});

/**
 * Decides the next step of a transfer requested before transfers were posted at once (see
 * posting.ts); it retires once no such transfer is in flight. Each step is one atomic append of the account's event
 * together with the transfer event recording it, both at the versions they were loaded at: a
 * re-delivered trigger finds the transfer already advanced, or loses the append race, so an
 * account is never debited or credited twice. Returns [] when the transfer is over.
 *
 * - requested → debit the source: `TransferDebited`; `TransferFailed` when the source refuses
 *   (insufficient funds, closed, missing).
 * - debited → credit the target: `TransferCompleted`; when the target refuses (closed, missing,
 *   balance limit), refund the source in the same append as `TransferFailed` (refunded).
 */
export function planTransferStep(
  transfer: Loaded<TransferState>,
  { source, target }: TransferAccounts,
): StreamAppend[] {
  const state = transfer.state;
  if (state.status !== 'requested' && state.status !== 'debited') return [];
  const transferId = transferEvents.idOf(transfer.streamId);
  const { amount } = state;
  const record = (event: TransferEvent) => appendAt(transfer, [event]);

  if (state.status === 'requested') {
    const debit = tryAccount({ type: 'WithdrawMoney', amount, transferId }, source.state);
    if ('refusal' in debit) return [record(failed(debit.refusal, false))];
    return [appendAt(source, debit.events), record({ type: 'TransferDebited', data: {} })];
  }

  const credit = tryAccount({ type: 'DepositMoney', amount, transferId }, target.state);
  if ('events' in credit) {
    return [appendAt(target, credit.events), record({ type: 'TransferCompleted', data: {} })];
  }
  const refund = tryAccount({ type: 'RefundTransfer', amount, transferId }, source.state);
  // The source was debited, so it exists: a refund has no rule that could refuse it.
  if ('refusal' in refund) throw refund.refusal;
  return [appendAt(source, refund.events), record(failed(credit.refusal, true))];
}
