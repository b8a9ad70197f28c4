import { describe, expect, it } from 'vitest';
import { given } from '../../functions/eventsourcing/testing';
import { givenStreams, streamOf, type LoadedStream } from '../../functions/eventsourcing/testing';
import { accountDecider, MAX_BALANCE, type AccountState } from '../../functions/accounts/decider';
import type { AccountEvent } from '../../functions/accounts/events';
import { transferDecider, type TransferState } from '../../functions/transfers/decider';
import type { TransferEvent } from '../../functions/transfers/events';
import { planPosting, postingAppends } from '../../functions/transfers/posting';
import { planTransferStep } from '../../functions/transfers/process-manager';

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: { ownerId: 'o', accountType: 'checking', currency: 'USD' },
};
const closed: AccountEvent = { type: 'AccountClosed', data: {} };
const deposit = (amount: number): AccountEvent => ({ type: 'MoneyDeposited', data: { amount } });
const source = (...history: AccountEvent[]) => streamOf(accountDecider, 'account-A', history);
const target = (...history: AccountEvent[]) => streamOf(accountDecider, 'account-B', history);
const funded = (amount: number) => source(opened, deposit(amount));

const requested: TransferEvent = {
  type: 'TransferRequested',
  data: { fromAccountId: 'A', toAccountId: 'B', amount: 30 },
};
const debited: TransferEvent = { type: 'TransferDebited', data: {} };
const transfer = (...history: TransferEvent[]) => streamOf(transferDecider, 'transfer-T1', history);

interface TransferStreams {
  readonly transfer: LoadedStream<TransferState>;
  readonly source: LoadedStream<AccountState>;
  readonly target: LoadedStream<AccountState>;
}
const nextStep = ({ transfer, source, target }: TransferStreams) =>
  planTransferStep(transfer, { source, target });

const refund = {
  streamId: 'account-A',
  expectedVersion: 2,
  events: [
    { type: 'MoneyDeposited', data: { amount: 30, source: 'transfer-refund', transferId: 'T1' } },
  ],
};

const post = (amount: number, toAccountId = 'B') =>
  ({ type: 'PostTransfer', fromAccountId: 'A', toAccountId, amount }) as const;
const posted: TransferEvent = {
  type: 'TransferPosted',
  data: { fromAccountId: 'A', toAccountId: 'B', amount: 30 },
};

describe('transfer decider (no database)', () => {
  it('posts a transfer between two accounts, completed at once', () => {
    given(transferDecider).when(post(30)).then([posted]);
    expect(given(transferDecider, [posted]).state).toEqual({
      status: 'completed',
      fromAccountId: 'A',
      toAccountId: 'B',
      amount: 30,
    });
  });

  it.each([[[posted]], [[requested]]])('refuses a transfer id already taken', (history) => {
    given(transferDecider, history).when(post(30)).thenThrows('TransferAlreadyExists');
  });

  it('refuses a transfer from an account to itself', () => {
    given(transferDecider).when(post(1, 'A')).thenThrows('SameAccount');
  });

  it('still reads transfers run by the process manager', () => {
    expect(given(transferDecider, [requested, debited]).state).toMatchObject({
      status: 'debited',
      amount: 30,
    });
  });
});

interface PostingStreams {
  readonly source: LoadedStream<AccountState>;
  readonly target: LoadedStream<AccountState>;
}
const posting =
  (amount: number) =>
  ({ source, target }: PostingStreams) => {
    const fresh = transfer();
    return postingAppends(planPosting(post(amount), fresh, { source, target }), fresh, {
      source,
      target,
    });
  };

describe('transfer posting (no database)', () => {
  it('posts the transfer, the withdrawal and the deposit, each at its loaded version', () => {
    givenStreams({ source: funded(100), target: target(opened) })
      .when(posting(30))
      .then([
        { streamId: 'transfer-T1', expectedVersion: 'no_stream', events: [posted] },
        {
          streamId: 'account-A',
          expectedVersion: 2,
          events: [{ type: 'MoneyWithdrawn', data: { amount: 30, transferId: 'T1' } }],
        },
        {
          streamId: 'account-B',
          expectedVersion: 1,
          events: [{ type: 'MoneyDeposited', data: { amount: 30, transferId: 'T1' } }],
        },
      ]);
  });

  it.each([
    { when: 'the source has too little money', from: funded(29), reason: 'InsufficientFunds' },
    { when: 'the source does not exist', from: source(), reason: 'AccountNotFound' },
    { when: 'the source is closed', from: source(opened, closed), reason: 'AccountClosed' },
    { when: 'the target does not exist', to: target(), reason: 'AccountNotFound' },
    { when: 'the target is closed', to: target(opened, closed), reason: 'AccountClosed' },
    {
      when: 'the target would hold too much',
      to: target(opened, deposit(MAX_BALANCE)),
      reason: 'BalanceLimitExceeded',
    },
    { when: 'the amount is not a positive integer', amount: 0.5, reason: 'InvalidAmount' },
  ])('refuses, appending nothing, when $when', ({ from, to, amount, reason }) => {
    givenStreams({ source: from ?? funded(100), target: to ?? target(opened) })
      .when(posting(amount ?? 30))
      .thenThrows(reason);
  });
});

describe('transfer process manager steps (no database)', () => {
  it('debits the source and records it in one append', () => {
    givenStreams({ transfer: transfer(requested), source: funded(100), target: target(opened) })
      .when(nextStep)
      .then([
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

  it.each([
    ['has too little money', funded(29), 'InsufficientFunds'],
    ['does not exist', source(), 'AccountNotFound'],
    ['is closed', source(opened, closed), 'AccountClosed'],
  ])('fails without touching any account when the source %s', (_, refusing, reason) => {
    const appends = givenStreams({
      transfer: transfer(requested),
      source: refusing,
      target: target(opened),
    })
      .when(nextStep)
      .appends();
    expect(appends).toEqual([
      {
        streamId: 'transfer-T1',
        expectedVersion: 1,
        events: [
          {
            type: 'TransferFailed',
            data: expect.objectContaining({ reason, refunded: false }) as unknown,
          },
        ],
      },
    ]);
  });

  it('credits the target and completes in one append', () => {
    givenStreams({
      transfer: transfer(requested, debited),
      source: funded(100),
      target: target(opened),
    })
      .when(nextStep)
      .then([
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

  it.each([
    ['does not exist', target(), 'AccountNotFound'],
    ['is closed', target(opened, closed), 'AccountClosed'],
  ])('refunds the source and fails in one append when the target %s', (_, refusing, reason) => {
    const appends = givenStreams({
      transfer: transfer(requested, debited),
      source: funded(70),
      target: refusing,
    })
      .when(nextStep)
      .appends();
    expect(appends).toEqual([
      refund,
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
  });

  it('refunds even a source closed since the debit, so no money disappears', () => {
    const [first] = givenStreams({
      transfer: transfer(requested, debited),
      source: source(opened, closed),
      target: target(opened, closed),
    })
      .when(nextStep)
      .appends();
    expect(first).toEqual(refund);
  });

  it('does nothing for a completed transfer', () => {
    givenStreams({
      transfer: transfer(requested, debited, { type: 'TransferCompleted', data: {} }),
      source: funded(1),
      target: target(opened),
    })
      .when(nextStep)
      .thenNothing();
  });

  it('does nothing for a failed transfer', () => {
    givenStreams({
      transfer: transfer(requested, {
        type: 'TransferFailed',
        data: { reason: 'X', message: 'x', refunded: false },
      }),
      source: funded(1),
      target: target(opened),
    })
      .when(nextStep)
      .thenNothing();
  });

  it('does nothing for a transfer never requested', () => {
    givenStreams({ transfer: transfer(), source: funded(1), target: target(opened) })
      .when(nextStep)
      .thenNothing();
  });
});
