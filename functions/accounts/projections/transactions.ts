import type { Projection, ReadModelWrite } from '../../eventsourcing';
import { accountEvents, type RecordedAccountEvent } from '../events';
import { runningBalanceKey, transactionKey, type AccountTransaction } from '../read-models';

/** Each account's deposits and withdrawals in order, with the balance after each. */
export const accountTransactionsProjection: Projection<RecordedAccountEvent> = {
  name: 'account-transactions',
  description: "Each account's deposits and withdrawals with the balance after each.",
  readModel: 'accountTransactions',
  handles: ['AccountOpened', 'MoneyDeposited', 'MoneyWithdrawn'],
  async apply(event, context): Promise<ReadModelWrite[]> {
    const accountId = accountEvents.idOf(event.streamId);
    const balanceKey = runningBalanceKey(accountId);
    if (event.type === 'AccountOpened') return [{ put: { ...balanceKey, balance: 0 } }];
    if (event.type !== 'MoneyDeposited' && event.type !== 'MoneyWithdrawn') return [];
    const running = await context.get(balanceKey);
    if (typeof running?.balance !== 'number') {
      throw new Error(
        `Account ${accountId} has no running balance before version ${event.version}`,
      );
    }
    const deposit = event.type === 'MoneyDeposited';
    const balanceAfter = running.balance + (deposit ? 1 : -1) * event.data.amount;
    const transaction: AccountTransaction = {
      version: event.version,
      type: deposit ? 'deposit' : 'withdrawal',
      ...event.data,
      balanceAfter,
      at: event.recordedAt,
    };
    return [
      { put: { ...transactionKey(accountId, event.version), ...transaction } },
      { put: { ...balanceKey, balance: balanceAfter } },
    ];
  },
};
