import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it, vi, type Mock } from 'vitest';
import {
  WriteConditionFailedError,
  type EventSourcingStorage,
  type EventStore,
  type Reaction,
  type RecordedEvent,
} from '../../functions/eventsourcing';
import { tableNameEnvVar } from '../../functions/eventsourcing/declaration';
import { eventFromItem, isEventItem } from '../../functions/eventsourcing/event-items';
import { IdempotencyKeys } from '../../functions/eventsourcing/http';
import type { ConsumerHost } from '../../functions/eventsourcing/hosts';
import { toDomainEvent } from '../../functions/domain-events';
import { accountEvents } from '../../functions/accounts/events';
import { accountCommandHandler, accountRepository } from '../../functions/accounts/service';
import { transferEvents } from '../../functions/transfers/events';
import { TransferPostings } from '../../functions/transfers/post-transfer';
import { transferProcess } from '../../functions/transfers/process-reaction';
import { transferRepository, transferStreams } from '../../functions/transfers/service';
import { lambdaContext } from '../support/api-gateway-events';
import { createTestTables, type TestTables } from '../support/dynamodb';
import { insertRecord, reactionHost } from '../support/projection-fixture';
import { requestTransfer } from '../support/requested-transfer';

let tables: TestTables;
let storage: EventSourcingStorage;
let store: EventStore;
let react: Mock<Reaction['react']>;
let reactions: ConsumerHost;

beforeAll(async () => {
  tables = await createTestTables();
  const { names } = tables;
  storage = { client: tables.client, eventsTable: names.events, snapshotsTable: names.snapshots };
  store = transferStreams(storage).withAccounts;
  // The process manager as the reactions host builds it: from its declaration and environment.
  Object.assign(process.env, {
    [tableNameEnvVar('events')]: names.events,
    [tableNameEnvVar('snapshots')]: names.snapshots,
  });
  const reaction: Reaction = transferProcess.create();
  react = vi.fn<Reaction['react']>((events) => reaction.react(events));
  reactions = reactionHost(tables, [{ ...reaction, react }], { decode: toDomainEvent });
});

const metadata = { correlationId: 'in-flight', actor: 'alice' };

async function openAccount(deposit: number): Promise<string> {
  const accountId = randomUUID();
  const accounts = accountCommandHandler(storage);
  const streamId = accountEvents.streamId(accountId);
  await accounts.handle(streamId, {
    type: 'OpenAccount',
    ownerId: 'alice',
    accountType: 'checking',
    currency: 'USD',
  });
  if (deposit > 0) await accounts.handle(streamId, { type: 'DepositMoney', amount: deposit });
  return accountId;
}

const balanceOf = async (accountId: string) => {
  const { state } = await accountRepository(storage).load(accountEvents.streamId(accountId));
  return state.status === 'none' ? undefined : state.balance;
};

const transferStatus = async (transferId: string) =>
  (await transferRepository(storage).load(transferEvents.streamId(transferId))).state.status;

async function storedEvents(): Promise<RecordedEvent[]> {
  const { Items = [] } = await tables.client.send(
    new ScanCommand({ TableName: tables.names.events, ConsistentRead: true }),
  );
  return Items.filter(isEventItem).map(eventFromItem);
}

/** Delivers events to the reactions host as DynamoDB Streams would, and expects no failure. */
async function deliver(events: readonly RecordedEvent[]): Promise<void> {
  const records = events.map((event) => insertRecord(event));
  expect((await reactions({ Records: records }, lambdaContext)).batchItemFailures).toEqual([]);
}

describe('transfers in flight when postings ship', () => {
  it('the process manager finishes them, one requested and one already debited', async () => {
    const [source, first, second] = await Promise.all([
      openAccount(100),
      openAccount(0),
      openAccount(0),
    ]);
    const events = { client: tables.client, eventsTable: tables.names.events };
    const requested = await requestTransfer(
      events,
      { fromAccountId: source, toAccountId: first, amount: 30 },
      metadata,
    );
    // The second is half way: its first step debited the source, with its record, at once.
    const debited = await requestTransfer(
      events,
      { fromAccountId: source, toAccountId: second, amount: 20 },
      metadata,
    );
    await store.appendToStreams(
      [
        {
          streamId: accountEvents.streamId(source),
          events: [{ type: 'MoneyWithdrawn', data: { amount: 20, transferId: debited } }],
          expectedVersion: 2,
        },
        {
          streamId: transferEvents.streamId(debited),
          events: [{ type: 'TransferDebited', data: {} }],
          expectedVersion: 1,
        },
      ],
      { metadata },
    );
    expect(await balanceOf(source)).toBe(80);

    const transferStreams = [requested, debited].map((id) => transferEvents.streamId(id));
    await deliver(
      (await storedEvents()).filter((event) => transferStreams.includes(event.streamId)),
    );

    expect(react).toHaveBeenCalled();
    expect(await transferStatus(requested)).toBe('completed');
    expect(await transferStatus(debited)).toBe('completed');
    expect(await Promise.all([source, first, second].map(balanceOf))).toEqual([50, 30, 20]);
  });
});

describe('a posted transfer', () => {
  it('moves the money in one transaction of three streams, which the process manager never hears of', async () => {
    const [source, target] = await Promise.all([openAccount(100), openAccount(0)]);
    const before = new Set((await storedEvents()).map((event) => event.eventId));
    const transferId = randomUUID();
    const streamId = transferEvents.streamId(transferId);

    const posted = await new TransferPostings(storage).handle(
      streamId,
      { type: 'PostTransfer', fromAccountId: source, toAccountId: target, amount: 40 },
      { metadata },
    );

    expect(posted).toMatchObject({ streamId, version: 1, state: { status: 'completed' } });
    const written = (await storedEvents()).filter((event) => !before.has(event.eventId));
    expect(
      written.map(({ streamId, version, type, data }) => ({ streamId, version, type, data })),
    ).toEqual(
      expect.arrayContaining([
        {
          streamId,
          version: 1,
          type: 'TransferPosted',
          data: { fromAccountId: source, toAccountId: target, amount: 40 },
        },
        {
          streamId: accountEvents.streamId(source),
          version: 3,
          type: 'MoneyWithdrawn',
          data: { amount: 40, transferId },
        },
        {
          streamId: accountEvents.streamId(target),
          version: 2,
          type: 'MoneyDeposited',
          data: { amount: 40, transferId },
        },
      ]),
    );
    expect(written).toHaveLength(3);
    // One transaction: one time and the same request's metadata on all three.
    expect(new Set(written.map((event) => event.recordedAt)).size).toBe(1);
    for (const event of written) expect(event.metadata).toMatchObject(metadata);
    expect(await Promise.all([source, target].map(balanceOf))).toEqual([60, 40]);

    react.mockClear();
    await deliver(written);
    expect(react).not.toHaveBeenCalled();
  });

  it('writes nothing when a write committed with it is refused, or a rule refuses it', async () => {
    const [source, target] = await Promise.all([openAccount(100), openAccount(0)]);
    const keys = new IdempotencyKeys(tables.client, tables.names.idempotency);
    const scope = { actor: 'alice', key: randomUUID() };
    const answer = { status: 201, headers: {}, body: '{}' };
    expect(await keys.save(keys.record(scope, 'first', answer))).toBe(true);
    const before = (await storedEvents()).length;
    const post = (amount: number, keyed: boolean) =>
      new TransferPostings(storage).handle(
        transferEvents.streamId(randomUUID()),
        { type: 'PostTransfer', fromAccountId: source, toAccountId: target, amount },
        keyed ? { commitWith: () => [keys.record(scope, 'second', answer)] } : {},
      );

    await expect(post(10, true)).rejects.toBeInstanceOf(WriteConditionFailedError);
    await expect(post(101, false)).rejects.toMatchObject({ code: 'InsufficientFunds' });

    expect((await storedEvents()).length).toBe(before);
    expect(await Promise.all([source, target].map(balanceOf))).toEqual([100, 0]);
  });

  it('never overdraws an account that postings from several processes drain at once', async () => {
    const [source, target] = await Promise.all([openAccount(30), openAccount(0)]);
    // One poster per process: only the accounts' version checks stand between them.
    const posters = Array.from({ length: 6 }, () => new TransferPostings(storage));
    const outcomes = await Promise.allSettled(
      posters.map((poster) =>
        poster.handle(
          transferEvents.streamId(randomUUID()),
          { type: 'PostTransfer', fromAccountId: source, toAccountId: target, amount: 10 },
          {},
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect(outcome.reason).toMatchObject({ code: 'InsufficientFunds' });
    }
    expect(await Promise.all([source, target].map(balanceOf))).toEqual([0, 30]);
  });
});
