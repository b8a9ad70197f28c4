import { storedData, type ReadModelKey } from '../eventsourcing';
import {
  accountEvents,
  type AccountType,
  type Currency,
  type RecordedAccountEvent,
} from './events';

/** `GET /accounts/{accountId}`: the account as the summary projection keeps it. */
export type AccountSummary = {
  readonly accountId: string;
  readonly ownerId: string;
  readonly accountType: AccountType;
  readonly currency: Currency;
  /** Kept sealed under the owner's key; the reader opens them (replacements once erased). */
  readonly holderName?: string;
  readonly email?: string;
  readonly status: 'open' | 'closed';
  readonly balance: number;
  /** The account stream version this summary reflects. */
  readonly version: number;
  readonly openedAt: string;
  readonly updatedAt: string;
};

/** One line of `GET /accounts/{accountId}/history`. */
export type AccountTransaction = {
  readonly version: number;
  readonly type: 'deposit' | 'withdrawal';
  readonly amount: number;
  readonly balanceAfter: number;
  readonly source?: string;
  readonly destination?: string;
  readonly at: string;
};

/** One account in `GET /owners/{ownerId}/accounts`. */
export type OwnerAccount = Omit<AccountSummary, 'ownerId'>;

export const summaryKey = (accountId: string): ReadModelKey => ({
  pk: `account#${accountId}`,
  sk: 'summary',
});

export const TRANSACTION_PREFIX = 'tx#';

/** Zero-padded so that sort keys order transactions by version. */
export const transactionKey = (accountId: string, version: number): ReadModelKey => ({
  pk: `account#${accountId}`,
  sk: `${TRANSACTION_PREFIX}${String(version).padStart(12, '0')}`,
});

/** The balance after the last transaction the history projection applied. */
export const runningBalanceKey = (accountId: string): ReadModelKey => ({
  pk: `account#${accountId}`,
  sk: 'balance',
});

export const ownerPartition = (ownerId: string) => `owner#${ownerId}`;

export const OWNER_ACCOUNT_PREFIX = 'account#';

export const ownerAccountKey = (ownerId: string, accountId: string): ReadModelKey => ({
  pk: ownerPartition(ownerId),
  sk: `${OWNER_ACCOUNT_PREFIX}${accountId}`,
});

/** Which owner an account belongs to, for events that do not carry the owner. */
export const accountOwnerKey = (accountId: string): ReadModelKey => ({
  pk: `account#${accountId}`,
  sk: 'owner',
});

/** The summary of a newly opened account. */
export function openedSummary(
  event: RecordedAccountEvent & { type: 'AccountOpened' },
): AccountSummary {
  return {
    accountId: accountEvents.idOf(event.streamId),
    ...storedData(event),
    status: 'open',
    balance: 0,
    version: event.version,
    updatedAt: event.recordedAt,
    openedAt: event.recordedAt,
  };
}

type AccountView = {
  readonly status: 'open' | 'closed';
  readonly balance: number;
  readonly version: number;
  readonly updatedAt: string;
};

/** How an event after the opening changes any view of an account (summary, owner's list). */
export function evolveAccountView<View extends AccountView>(
  view: View,
  event: RecordedAccountEvent,
): View {
  const changed = { ...view, version: event.version, updatedAt: event.recordedAt };
  switch (event.type) {
    case 'MoneyDeposited':
      return { ...changed, balance: view.balance + event.data.amount };
    case 'MoneyWithdrawn':
      return { ...changed, balance: view.balance - event.data.amount };
    case 'AccountClosed':
      return { ...changed, status: 'closed' };
    case 'AccountOpened':
      return changed;
  }
}
