import { DomainError, type Decider } from '../eventsourcing';
import type { AccountEvent, AccountType, Currency } from './events';

/** Largest amount one deposit or withdrawal may move, in minor units. */
export const MAX_AMOUNT = 1_000_000_000_000;
/** Largest balance an account may hold, in minor units (far inside JavaScript's exact integers). */
export const MAX_BALANCE = 1_000_000_000_000_000;

export type AccountCommand =
  | {
      readonly type: 'OpenAccount';
      readonly ownerId: string;
      readonly accountType: AccountType;
      readonly currency: Currency;
      readonly holderName?: string;
      readonly email?: string;
    }
  | {
      readonly type: 'DepositMoney';
      readonly amount: number;
      readonly source?: string;
      readonly transferId?: string;
    }
  | {
      readonly type: 'WithdrawMoney';
      readonly amount: number;
      readonly destination?: string;
      readonly transferId?: string;
    }
  /** Gives a failed transfer's debit back; lands even on an account closed since the debit. */
  | { readonly type: 'RefundTransfer'; readonly amount: number; readonly transferId: string }
  /** Pays for an order from an account of the order's customer. */
  | {
      readonly type: 'ChargeOrder';
      readonly orderId: string;
      readonly amount: number;
      readonly customerId: string;
    }
  /** Gives an order's charge back; lands even on an account closed since the charge. */
  | { readonly type: 'RefundOrder'; readonly orderId: string; readonly amount: number }
  | { readonly type: 'CloseAccount' };

export type AccountState =
  | { readonly status: 'none' }
  | {
      readonly status: 'open' | 'closed';
      readonly ownerId: string;
      readonly accountType: AccountType;
      readonly currency: Currency;
      readonly balance: number;
    };

type ExistingAccount = Exclude<AccountState, { status: 'none' }>;

function assertAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT) {
    throw new DomainError(
      'InvalidAmount',
      `amount must be a positive integer of minor units, at most ${MAX_AMOUNT}`,
      { amount },
    );
  }
}

/** The account, if it exists and is open; refuses a command on a missing or closed account. */
function requireOpen(state: AccountState): ExistingAccount & { status: 'open' } {
  if (state.status === 'none') throw new DomainError('AccountNotFound', 'No such account');
  if (state.status === 'closed') throw new DomainError('AccountClosed', 'The account is closed');
  return state as ExistingAccount & { status: 'open' };
}

type CommandOf<T extends AccountCommand['type']> = Extract<AccountCommand, { type: T }>;

function open(command: CommandOf<'OpenAccount'>, state: AccountState): AccountEvent[] {
  if (state.status !== 'none') {
    throw new DomainError('AccountAlreadyExists', 'The account already exists');
  }
  const { ownerId, accountType, currency, holderName, email } = command;
  return [
    {
      type: 'AccountOpened',
      data: {
        ownerId,
        accountType,
        currency,
        ...(holderName !== undefined ? { holderName } : {}),
        ...(email !== undefined ? { email } : {}),
      },
    },
  ];
}

function deposit(command: CommandOf<'DepositMoney'>, state: AccountState): AccountEvent[] {
  assertAmount(command.amount);
  const account = requireOpen(state);
  if (account.balance + command.amount > MAX_BALANCE) {
    throw new DomainError('BalanceLimitExceeded', `The balance may not exceed ${MAX_BALANCE}`, {
      balance: account.balance,
      amount: command.amount,
    });
  }
  const source = command.source === undefined ? {} : { source: command.source };
  const transfer = command.transferId === undefined ? {} : { transferId: command.transferId };
  return [{ type: 'MoneyDeposited', data: { amount: command.amount, ...source, ...transfer } }];
}

function withdraw(command: CommandOf<'WithdrawMoney'>, state: AccountState): AccountEvent[] {
  assertAmount(command.amount);
  const account = requireOpen(state);
  if (command.amount > account.balance) {
    throw new DomainError(
      'InsufficientFunds',
      `Cannot withdraw ${command.amount}: the balance is ${account.balance}`,
      { balance: account.balance, amount: command.amount },
    );
  }
  const destination = command.destination === undefined ? {} : { destination: command.destination };
  const transfer = command.transferId === undefined ? {} : { transferId: command.transferId };
  return [
    { type: 'MoneyWithdrawn', data: { amount: command.amount, ...destination, ...transfer } },
  ];
}

/** Only the customer's own accounts pay for their orders. */
function charge(command: CommandOf<'ChargeOrder'>, state: AccountState): AccountEvent[] {
  const account = requireOpen(state);
  if (account.ownerId !== command.customerId) {
    throw new DomainError('AccountNotOwned', "The account is not the order's customer's");
  }
  const { amount, orderId } = command;
  return withdraw({ type: 'WithdrawMoney', amount, destination: `order-${orderId}` }, state);
}

/** Unlike a deposit, a refund lands on a closed account too: the money was taken from it. */
function refund(
  amount: number,
  state: AccountState,
  why: { readonly source: string; readonly transferId?: string },
): AccountEvent[] {
  assertAmount(amount);
  if (state.status === 'none') throw new DomainError('AccountNotFound', 'No such account');
  return [{ type: 'MoneyDeposited', data: { amount, ...why } }];
}

function close(state: AccountState): AccountEvent[] {
  const account = requireOpen(state);
  if (account.balance !== 0) {
    throw new DomainError(
      'BalanceNotZero',
      `Cannot close an account holding ${account.balance}; withdraw it first`,
      { balance: account.balance },
    );
  }
  return [{ type: 'AccountClosed', data: {} }];
}

/**
 * A bank account: open, deposit, withdraw, close; transfers' and orders' charges and refunds.
 * Amounts are integers in minor units.
 */
export const accountDecider: Decider<AccountCommand, AccountState, AccountEvent> = {
  initialState: { status: 'none' },

  evolve(state, event) {
    switch (event.type) {
      case 'AccountOpened': {
        // The state keeps no personal data, so snapshots hold none.
        const { ownerId, accountType, currency } = event.data;
        return { status: 'open', ownerId, accountType, currency, balance: 0 };
      }
      case 'MoneyDeposited':
        return state.status === 'none'
          ? state
          : { ...state, balance: state.balance + event.data.amount };
      case 'MoneyWithdrawn':
        return state.status === 'none'
          ? state
          : { ...state, balance: state.balance - event.data.amount };
      case 'AccountClosed':
        return state.status === 'none' ? state : { ...state, status: 'closed' };
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'OpenAccount':
        return open(command, state);
      case 'DepositMoney':
        return deposit(command, state);
      case 'WithdrawMoney':
        return withdraw(command, state);
      case 'RefundTransfer':
        return refund(command.amount, state, {
          source: 'transfer-refund',
          transferId: command.transferId,
        });
      case 'ChargeOrder':
        return charge(command, state);
      case 'RefundOrder':
        return refund(command.amount, state, { source: 'order-refund' });
      case 'CloseAccount':
        return close(state);
    }
  },
};
