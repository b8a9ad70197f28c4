import { describe, expect, it } from 'vitest';
import { given } from '../../functions/eventsourcing/testing';
import {
  MAX_AMOUNT,
  MAX_BALANCE,
  accountDecider,
  type AccountCommand,
} from '../../functions/accounts/decider';
import type { AccountEvent } from '../../functions/accounts/events';

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: { ownerId: 'alice', accountType: 'checking', currency: 'USD' },
};
const deposited = (amount: number): AccountEvent => ({ type: 'MoneyDeposited', data: { amount } });
const withdrawn = (amount: number): AccountEvent => ({ type: 'MoneyWithdrawn', data: { amount } });

const closed: AccountEvent = { type: 'AccountClosed', data: {} };
const chargeOrder = (amount: number, customerId = 'alice'): AccountCommand => ({
  type: 'ChargeOrder',
  orderId: 'o1',
  amount,
  customerId,
});
const full = Array.from({ length: MAX_BALANCE / MAX_AMOUNT }, () => deposited(MAX_AMOUNT));

/** Commands the decider refuses: the scenario, the history, the command, the error code. */
const refusals: [string, AccountEvent[], AccountCommand, string][] = [
  [
    'opening an account twice',
    [opened],
    { type: 'OpenAccount', ownerId: 'bob', accountType: 'savings', currency: 'USD' },
    'AccountAlreadyExists',
  ],
  [
    'a deposit past the balance cap',
    [opened, ...full],
    { type: 'DepositMoney', amount: 1 },
    'BalanceLimitExceeded',
  ],
  [
    'closing an account with money',
    [opened, deposited(1)],
    { type: 'CloseAccount' },
    'BalanceNotZero',
  ],
  ['closing a closed account', [opened, closed], { type: 'CloseAccount' }, 'AccountClosed'],
  ['closing a missing account', [], { type: 'CloseAccount' }, 'AccountNotFound'],
  ['a deposit to a missing account', [], { type: 'DepositMoney', amount: 1 }, 'AccountNotFound'],
  [
    'a deposit to a closed account',
    [opened, closed],
    { type: 'DepositMoney', amount: 1 },
    'AccountClosed',
  ],
  ['charging a missing account', [], chargeOrder(1), 'AccountNotFound'],
  ['charging a closed account', [opened, closed], chargeOrder(1), 'AccountClosed'],
  [
    'charging more than the balance',
    [opened, deposited(99)],
    chargeOrder(100),
    'InsufficientFunds',
  ],
  [
    "charging another customer's account",
    [opened, deposited(100)],
    chargeOrder(1, 'mallory'),
    'AccountNotOwned',
  ],
  [
    'refunding an order to a missing account',
    [],
    { type: 'RefundOrder', orderId: 'o1', amount: 1 },
    'AccountNotFound',
  ],
];

const invalidAmounts = [0, -1, 1.5, MAX_AMOUNT + 1, Number.NaN];

describe('account decider', () => {
  it('opens an account', () => {
    given(accountDecider)
      .when({ type: 'OpenAccount', ownerId: 'alice', accountType: 'checking', currency: 'USD' })
      .then([opened]);
  });

  it('deposits, keeping the source', () => {
    given(accountDecider, [opened])
      .when({ type: 'DepositMoney', amount: 500, source: 'salary' })
      .then([{ type: 'MoneyDeposited', data: { amount: 500, source: 'salary' } }]);
  });

  it('withdraws, keeping the destination', () => {
    given(accountDecider, [opened, deposited(500)])
      .when({ type: 'WithdrawMoney', amount: 200, destination: 'rent' })
      .then([{ type: 'MoneyWithdrawn', data: { amount: 200, destination: 'rent' } }]);
  });

  it('folds deposits and withdrawals into the balance', () => {
    expect(given(accountDecider, [opened, deposited(500), withdrawn(200)]).state).toEqual({
      status: 'open',
      ownerId: 'alice',
      accountType: 'checking',
      currency: 'USD',
      balance: 300,
    });
  });

  it('refuses to withdraw more than the balance', () => {
    const error = given(accountDecider, [opened, deposited(100)])
      .when({ type: 'WithdrawMoney', amount: 101 })
      .thenThrows('InsufficientFunds');
    expect(error.message).toContain('balance is 100');
  });

  it.each(invalidAmounts)('refuses a deposit of %s', (amount) => {
    given(accountDecider, [opened])
      .when({ type: 'DepositMoney', amount })
      .thenThrows('InvalidAmount');
  });

  it.each(invalidAmounts)('refuses a withdrawal of %s', (amount) => {
    given(accountDecider, [opened, deposited(10)])
      .when({ type: 'WithdrawMoney', amount })
      .thenThrows('InvalidAmount');
  });

  it('takes the largest amount in one deposit', () => {
    given(accountDecider, [opened])
      .when({ type: 'DepositMoney', amount: MAX_AMOUNT })
      .then([deposited(MAX_AMOUNT)]);
  });

  it('closes an empty open account', () => {
    given(accountDecider, [opened, deposited(1), withdrawn(1)])
      .when({ type: 'CloseAccount' })
      .then([closed]);
  });

  it("charges an order to its customer's account", () => {
    given(accountDecider, [opened, deposited(500)])
      .when(chargeOrder(500))
      .then([{ type: 'MoneyWithdrawn', data: { amount: 500, destination: 'order-o1' } }]);
  });

  it("refunds an order's charge, even to an account closed since", () => {
    given(accountDecider, [opened, deposited(500), withdrawn(500), closed])
      .when({ type: 'RefundOrder', orderId: 'o1', amount: 500 })
      .then([{ type: 'MoneyDeposited', data: { amount: 500, source: 'order-refund' } }]);
  });

  it.each(refusals)('refuses %s', (_, history, command, code) => {
    given(accountDecider, history).when(command).thenThrows(code);
  });
});
