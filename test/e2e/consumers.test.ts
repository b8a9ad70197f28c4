import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summaryKey } from '../../functions/accounts/read-models';
import { GlobalLogReader } from '../../functions/eventsourcing/global-log';
import {
  ParkedStreams,
  type ConsumerHost,
  type ConsumerRuntime,
  type ParkedStream,
} from '../../functions/eventsourcing/hosts';
import { GenerationKeys } from '../../functions/eventsourcing/projections/read-model-keys';
import { systemContext } from '../../local/es/context';
import { startLocalEventBus, type LocalEventBus } from '../../local/event-bus';
import { waitFor } from '../../local/wait-for';
import { readAllReferences } from '../support/global-log';
import { startTestApi, type TestApi } from '../support/local-api';
import { runOperator } from '../support/operator';
import { requestTransfer } from '../support/requested-transfer';

let t: TestApi;
let parking: ParkedStreams;
/** Every consumer of both declared hosts, as the operator command gets them. */
let consumers: Map<string, ConsumerRuntime>;
let replacementBus: LocalEventBus | undefined;

// Parking waits for retries with backoff; generous deadlines keep a loaded machine from failing.
const WAIT = { timeoutMs: 90_000, intervalMs: 100 };

beforeAll(async () => {
  t = await startTestApi();
  parking = new ParkedStreams(
    DynamoDBDocumentClient.from(t.client),
    t.stack.tableNames.parkedStreams,
  );
  consumers = new Map();
  for (const module of ['../../functions/hosts/projections', '../../functions/hosts/reactions']) {
    const { handler } = (await import(module)) as { handler: ConsumerHost };
    for (const [name, runtime] of handler.runtimes()) consumers.set(name, runtime);
  }
});
afterAll(async () => {
  await replacementBus?.stop();
  await t?.stop();
});

const openAccount = (ownerId: string, deposit: number) => t.openAccount(ownerId, deposit);

const parkedFor = (consumer: string, streamId: string) =>
  waitFor(
    async () => {
      const record = await parking.get(consumer, streamId);
      return record?.status === 'parked' ? record : undefined;
    },
    { ...WAIT, description: `${streamId} to be parked for ${consumer}` },
  );

/** Runs the operator command (`npm run es -- …`) against the stack's tables. */
async function operator(...args: string[]) {
  const { code, output } = await runOperator(args, (io) => ({
    ...systemContext(t.client, t.stack.tableNames, io),
    consumers: () => Promise.resolve(consumers),
  }));
  return { code, output };
}

describe('stream consumers of the local stack', { timeout: 240_000 }, () => {
  it('keep the other projections, the process manager and the publisher current while one projection parks a stream; redrive completes it', async () => {
    const damaged = await openAccount('poison-owner', 100);
    const source = await openAccount('poison-source', 100);
    const target = await openAccount('poison-target', 0);
    await t.eventually(`/accounts/${damaged}`, (r) => r.body.version === 2);

    // The account-summaries read model loses the account's item: its next event is poison
    // for that projection alone.
    const summaries = t.stack.tableNames.accountSummaries;
    const key = marshall(new GenerationKeys('account-summaries', 1).physical(summaryKey(damaged)));
    const { Item: saved } = await t.client.send(
      new GetItemCommand({ TableName: summaries, Key: key, ConsistentRead: true }),
    );
    await t.client.send(new DeleteItemCommand({ TableName: summaries, Key: key }));
    expect(
      (await t.api.post(`/accounts/${damaged}/deposits`, { body: { amount: 50 } })).status,
    ).toBe(200);
    const transfer = await t.api.post('/transfers', {
      body: { fromAccountId: source, toAccountId: target, amount: 30 },
    });
    expect(transfer.status).toBe(201);

    const parked = await parkedFor('account-summaries', `account-${damaged}`);
    expect(parked).toMatchObject({
      version: 3,
      eventType: 'MoneyDeposited',
      kind: 'poison',
      attempts: 2,
    } satisfies Partial<ParkedStream>);
    expect(parked.error).toContain('has no summary');

    // The other projections have the deposit and the transfer, the publisher published the
    // deposit, and the parked account's other streams flow.
    await t.eventually(
      `/accounts/${damaged}/history`,
      (r) => ((r.body.transactions as unknown[] | undefined) ?? []).length === 2,
    );
    await t.eventually(
      '/owners/poison-owner/accounts',
      (r) => (r.body.accounts as { balance: number }[] | undefined)?.[0]?.balance === 150,
    );
    await t.eventually(
      `/transfers/${transfer.body.transferId as string}`,
      (r) => r.body.status === 'completed',
    );
    await t.eventually(`/accounts/${source}`, (r) => r.body.balance === 70);
    await t.eventually(`/accounts/${target}`, (r) => r.body.balance === 30);
    const deposit = (await t.events()).find(
      (event) => event.streamId === `account-${damaged}` && event.version === 3,
    )!;
    await waitFor(
      () =>
        t.stack.eventBus.events.some((received) => received.entry.Detail?.includes(deposit.eventId))
          ? true
          : undefined,
      { ...WAIT, description: 'the deposit on the bus' },
    );
    // The read model repaired, the operator's redrive applies what queued behind the park.
    await t.client.send(new PutItemCommand({ TableName: summaries, Item: saved! }));
    expect(await operator('redrive', 'account-summaries')).toEqual({
      code: 0,
      output: `account-${damaged}: applied up to version 3, released`,
    });
    await t.eventually(
      `/accounts/${damaged}`,
      (r) => r.body.balance === 150 && r.body.version === 3,
    );
    expect(await parking.get('account-summaries', `account-${damaged}`)).toBeUndefined();
  });

  it('park a stream with a hole for the global log and a transfer the process manager cannot advance, without holding the other reactions; redrive finishes both once the cause is fixed', async () => {
    // A source account whose stream has a hole can never be loaded, nor indexed in order.
    const { accountId: broken, fillHole } = await t.accountWithHole();
    const streamId = `account-${broken}`;
    // The indexer shares the reactions host: parked, the hole no longer holds its shard.
    const unindexed = await parkedFor('global-log-indexer', streamId);
    expect(unindexed).toMatchObject({ kind: 'gap', version: 2, attempts: 2 });

    const target = await openAccount('redrive-target', 0);
    // Requested before postings: the process manager runs it.
    const transferId = await requestTransfer(
      { client: t.client, eventsTable: t.stack.tableNames.events },
      { fromAccountId: broken, toAccountId: target, amount: 5 },
    );

    const parked = await parkedFor('transfer-process', `transfer-${transferId}`);
    expect(parked).toMatchObject({ version: 1, eventType: 'TransferRequested', attempts: 2 });
    expect(parked.error).toContain('gap');
    const listed = (await operator('parked')).output;
    expect(listed).toContain(`transfer-process transfer-${transferId} parked at version 1`);
    expect(listed).toContain(`global-log-indexer ${streamId} parked at version 2`);

    await fillHole();
    // The steps the redrive appends reach the process manager too: its guard ends at 1 or 3.
    const redriven = await operator('redrive', 'transfer-process');
    expect(redriven.code).toBe(0);
    expect(redriven.output).toMatch(
      new RegExp(`^transfer-${transferId}: applied up to version [13], released$`),
    );
    expect((await t.api.get(`/transfers/${transferId}`)).body.status).toBe('completed');
    await t.eventually(`/accounts/${target}`, (r) => r.body.balance === 5);

    // The stream's new events may have released it already; the redrive names it to be sure.
    const reindexed = await operator('redrive', 'global-log-indexer', streamId);
    expect(reindexed.code).toBe(0);
    expect(reindexed.output).toMatch(
      new RegExp(`^${streamId}: applied up to version \\d+, released$`),
    );
    const stored = (await t.events()).filter((event) => event.streamId === streamId).length;
    const { globalLog, events } = t.stack.tableNames;
    const reader = new GlobalLogReader({ client: t.client, tables: { globalLog, events } });
    await waitFor(
      async () => {
        const versions = (await readAllReferences(reader))
          .filter((reference) => reference.streamId === streamId)
          .map((reference) => reference.version);
        return versions.length === stored ? versions : undefined;
      },
      { ...WAIT, description: `every event of ${streamId} in the global log` },
    ).then((versions) => expect(versions).toEqual(Array.from({ length: stored }, (_, i) => i + 1)));
    expect(await parking.get('global-log-indexer', streamId)).toBeUndefined();
  });

  it('park what the publisher cannot put on an unreachable bus, and redrive publishes it once the bus is back', async () => {
    const bus = t.stack.eventBus;
    const port = Number(new URL(bus.endpoint).port);
    await bus.stop();
    const accountId = await openAccount('unpublished', 0);
    const parked = await parkedFor('integration-publisher', `account-${accountId}`);
    expect(parked).toMatchObject({ version: 1, eventType: 'AccountOpened', kind: 'transient' });

    replacementBus = await startLocalEventBus({ port });
    const redriven = await operator('redrive', 'integration-publisher');
    expect(redriven.code).toBe(0);
    expect(redriven.output).toContain(`account-${accountId}: applied up to version 1, released`);
    const [opened] = (await t.events()).filter(
      (event) => event.streamId === `account-${accountId}`,
    );
    expect(
      replacementBus.events.filter((received) => received.entry.Detail?.includes(opened!.eventId)),
    ).toHaveLength(1);
  });
});
