import { describe, expect, it } from 'vitest';
import { given } from '../../functions/eventsourcing/decider-testing';
import { MAX_AMOUNT, MAX_BALANCE, accountDecider } from '../../functions/accounts/decider';
import type { AccountEvent } from '../../functions/accounts/events';

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: { ownerId: 'alice', accountType: 'checking', currency: 'USD' },
};
const deposited = (amount: number): AccountEvent => ({ type: 'MoneyDeposited', data: { amount } });
const withdrawn = (amount: number): AccountEvent => ({ type: 'MoneyWithdrawn', data: { amount } });

describe('account decider', () => {
  it('opens an account once', () => {
    given(accountDecider)
      .when({ type: 'OpenAccount', ownerId: 'alice', accountType: 'checking', currency: 'USD' })
      .then([opened]);
    given(accountDecider, [opened])
      .when({ type: 'OpenAccount', ownerId: 'bob', accountType: 'savings', currency: 'USD' })
      .thenThrows('AccountAlreadyExists');
  });

  it('deposits and withdraws, keeping the source and destination', () => {
    given(accountDecider, [opened])
      .when({ type: 'DepositMoney', amount: 500, source: 'salary' })
      .then([{ type: 'MoneyDeposited', data: { amount: 500, source: 'salary' } }]);
    given(accountDecider, [opened, deposited(500)])
      .when({ type: 'WithdrawMoney', amount: 200, destination: 'rent' })
      .then([{ type: 'MoneyWithdrawn', data: { amount: 200, destination: 'rent' } }]);
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

  it('refuses amounts that are not positive integers up to 10^12', () => {
    for (const amount of [0, -1, 1.5, MAX_AMOUNT + 1, Number.NaN]) {
      given(accountDecider, [opened])
        .when({ type: 'DepositMoney', amount })
        .thenThrows('InvalidAmount');
      given(accountDecider, [opened, deposited(10)])
        .when({ type: 'WithdrawMoney', amount })
        .thenThrows('InvalidAmount');
    }
    given(accountDecider, [opened])
      .when({ type: 'DepositMoney', amount: MAX_AMOUNT })
      .then([deposited(MAX_AMOUNT)]);
  });

  it('caps the balance', () => {
    const full = Array.from({ length: MAX_BALANCE / MAX_AMOUNT }, () => deposited(MAX_AMOUNT));
    given(accountDecider, [opened, ...full])
      .when({ type: 'DepositMoney', amount: 1 })
      .thenThrows('BalanceLimitExceeded');
  });

  it('closes only an empty open account', () => {
    given(accountDecider, [opened, deposited(1)])
      .when({ type: 'CloseAccount' })
      .thenThrows('BalanceNotZero');
    given(accountDecider, [opened, deposited(1), withdrawn(1)])
      .when({ type: 'CloseAccount' })
      .then([{ type: 'AccountClosed', data: {} }]);
    given(accountDecider, [opened, { type: 'AccountClosed', data: {} }])
      .when({ type: 'CloseAccount' })
      .thenThrows('AccountClosed');
  });

  it('refuses money movements on missing and closed accounts', () => {
    given(accountDecider).when({ type: 'DepositMoney', amount: 1 }).thenThrows('AccountNotFound');
    given(accountDecider).when({ type: 'CloseAccount' }).thenThrows('AccountNotFound');
    given(accountDecider, [opened, { type: 'AccountClosed', data: {} }])
      .when({ type: 'DepositMoney', amount: 1 })
      .thenThrows('AccountClosed');
  });
});
