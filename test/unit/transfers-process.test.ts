import { describe, expect, it } from 'vitest';
import { fold } from '../../functions/eventsourcing';
import { given } from '../../functions/eventsourcing/decider-testing';
import { accountDecider, type AccountState } from '../../functions/accounts/decider';
import type { AccountEvent } from '../../functions/accounts/events';
import { transferDecider, type TransferState } from '../../functions/transfers/decider';
import type { TransferEvent } from '../../functions/transfers/events';
import { planTransferStep, type Loaded } from '../../functions/transfers/process-manager';

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: { ownerId: 'o', accountType: 'checking', currency: 'USD' },
};
const account = (streamId: string, events: AccountEvent[]): Loaded<AccountState> => ({
  streamId,
  version: events.length,
  state: fold(accountDecider, accountDecider.initialState, events),
});
const funded = (amount: number) => account('account-A', [opened, deposit(amount)]);
const deposit = (amount: number): AccountEvent => ({ type: 'MoneyDeposited', data: { amount } });
const target = account('account-B', [opened]);
const missing = account('account-B', []);
const closedTarget = account('account-B', [opened, { type: 'AccountClosed', data: {} }]);

const requested: TransferEvent = {
  type: 'TransferRequested',
  data: { fromAccountId: 'A', toAccountId: 'B', amount: 30 },
};
const transfer = (events: TransferEvent[]): Loaded<TransferState> => ({
  streamId: 'transfer-T1',
  version: events.length,
  state: fold(transferDecider, transferDecider.initialState, events),
});

describe('transfer decider (no database)', () => {
  it('requests a transfer between two accounts once', () => {
    given(transferDecider)
      .when({ type: 'RequestTransfer', fromAccountId: 'A', toAccountId: 'B', amount: 30 })
      .then([requested]);
    given(transferDecider, [requested])
      .when({ type: 'RequestTransfer', fromAccountId: 'A', toAccountId: 'B', amount: 30 })
      .thenThrows('TransferAlreadyExists');
    given(transferDecider)
      .when({ type: 'RequestTransfer', fromAccountId: 'A', toAccountId: 'A', amount: 1 })
      .thenThrows('SameAccount');
  });
});

describe('transfer process manager decisions (no database)', () => {
  it('debits the source and records it in one append', () => {
    expect(planTransferStep(transfer([requested]), { source: funded(100), target })).toEqual([
      {
        streamId: 'account-A',
        expectedVersion: 2,
        events: [{ type: 'MoneyWithdrawn', data: { amount: 30, transferId: 'T1' } }],
      },
      {
        streamId: 'transfer-T1',
        expectedVersion: 1,
        events: [{ type: 'TransferDebited', data: {} }],
      },
    ]);
  });

  it('fails without touching any account when the source refuses', () => {
    const cases: [Loaded<AccountState>, string][] = [
      [funded(29), 'InsufficientFunds'],
      [account('account-A', []), 'AccountNotFound'],
      [account('account-A', [opened, { type: 'AccountClosed', data: {} }]), 'AccountClosed'],
    ];
    for (const [source, reason] of cases) {
      const plan = planTransferStep(transfer([requested]), { source, target });
      expect(plan).toHaveLength(1);
      expect(plan[0]).toMatchObject({
        streamId: 'transfer-T1',
        expectedVersion: 1,
        events: [{ type: 'TransferFailed', data: { reason, refunded: false } }],
      });
    }
  });

  it('credits the target and completes in one append', () => {
    const debited = transfer([requested, { type: 'TransferDebited', data: {} }]);
    expect(planTransferStep(debited, { source: funded(100), target })).toEqual([
      {
        streamId: 'account-B',
        expectedVersion: 1,
        events: [{ type: 'MoneyDeposited', data: { amount: 30, transferId: 'T1' } }],
      },
      {
        streamId: 'transfer-T1',
        expectedVersion: 2,
        events: [{ type: 'TransferCompleted', data: {} }],
      },
    ]);
  });

  it('refunds the source and fails in one append when the target refuses', () => {
    const debited = transfer([requested, { type: 'TransferDebited', data: {} }]);
    for (const [refusing, reason] of [
      [missing, 'AccountNotFound'],
      [closedTarget, 'AccountClosed'],
    ] as const) {
      expect(planTransferStep(debited, { source: funded(70), target: refusing })).toEqual([
        {
          streamId: 'account-A',
          expectedVersion: 2,
          events: [
            {
              type: 'MoneyDeposited',
              data: { amount: 30, source: 'transfer-refund', transferId: 'T1' },
            },
          ],
        },
        {
          streamId: 'transfer-T1',
          expectedVersion: 2,
          events: [
            {
              type: 'TransferFailed',
              data: expect.objectContaining({ reason, refunded: true }) as unknown,
            },
          ],
        },
      ]);
    }
  });

  it('refunds even a source closed since the debit, so no money disappears', () => {
    const debited = transfer([requested, { type: 'TransferDebited', data: {} }]);
    const closedSource = account('account-A', [opened, { type: 'AccountClosed', data: {} }]);
    const plan = planTransferStep(debited, { source: closedSource, target: closedTarget });
    expect(plan[0]?.events).toEqual([
      { type: 'MoneyDeposited', data: { amount: 30, source: 'transfer-refund', transferId: 'T1' } },
    ]);
  });

  it('does nothing for a finished transfer', () => {
    const completed = transfer([
      requested,
      { type: 'TransferDebited', data: {} },
      { type: 'TransferCompleted', data: {} },
    ]);
    expect(planTransferStep(completed, { source: funded(1), target })).toEqual([]);
    const failedTransfer = transfer([
      requested,
      { type: 'TransferFailed', data: { reason: 'X', message: 'x', refunded: false } },
    ]);
    expect(planTransferStep(failedTransfer, { source: funded(1), target })).toEqual([]);
    expect(planTransferStep(transfer([]), { source: funded(1), target })).toEqual([]);
  });
});
