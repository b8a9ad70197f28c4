import { Metrics } from '@aws-lambda-powertools/metrics';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  EventStore,
  ReadModelReader,
  type Projection,
  type RecordedEvent,
} from '../../functions/eventsourcing';
import { createConsumerHost } from '../../functions/eventsourcing/hosts';
import { balanceProjection } from '../support/balance-projection';
import {
  balanceHandler,
  createProjectionTestTables,
  insertRecord,
  type BalanceHandler,
  type ProjectionTestTables,
} from '../support/projection-fixture';
import { balanceEvents } from '../support/test-events';

let tables: ProjectionTestTables;
let store: EventStore;

beforeAll(async () => {
  tables = await createProjectionTestTables();
  store = new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue: balanceEvents,
  });
});

function handlerFor(options: { isPoison?: (event: RecordedEvent) => boolean; name?: string } = {}) {
  return balanceHandler(tables, options);
}

async function appendAll(streamId: string, events: { type: string; data: object }[]) {
  const result = await store.append(
    streamId,
    events.map((event) => ({ type: event.type, data: event.data as Record<string, unknown> })),
    { expectedVersion: 'any' },
  );
  return result.events;
}

async function readModel(handler: BalanceHandler) {
  const { Items = [] } = await tables.client.send(
    new ScanCommand({ TableName: tables.projectionTables.readModel, ConsistentRead: true }),
  );
  const prefix = `${handler.runtime().name}#`;
  return Items.map((item) => unmarshall(item))
    .filter((item) => (item.pk as string).startsWith(prefix))
    .sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`));
}

describe('a projection in a consumer host', () => {
  it('applies events swapped inside a batch in version order', async () => {
    const handler = handlerFor({ name: 'swapped' });
    const events = await appendAll('acc-swap', [
      { type: 'Opened', data: { owner: 'ann' } },
      { type: 'Deposited', data: { amount: 10 } },
      { type: 'Withdrawn', data: { amount: 3 } },
      { type: 'Deposited', data: { amount: 5 } },
    ]);
    const records = events.map((event) => insertRecord(event));
    const response = await handler({
      Records: [records[2]!, records[0]!, records[3]!, records[1]!],
    });
    expect(response.batchItemFailures).toEqual([]);
    const reader = new ReadModelReader(balanceProjection({ name: 'swapped' }), {
      client: tables.client,
      tableName: tables.projectionTables.readModel,
    });
    expect(await reader.get({ pk: 'account#acc-swap', sk: 'summary' })).toMatchObject({
      balance: 12,
      deposits: 2,
      owner: 'ann',
    });
  });

  it('gives the same read model when every batch is delivered twice', async () => {
    const once = handlerFor({ name: 'once' });
    const twice = handlerFor({ name: 'twice' });
    const events = await appendAll('acc-twice', [
      { type: 'Opened', data: { owner: 'bob' } },
      { type: 'Deposited', data: { amount: 7 } },
      { type: 'Withdrawn', data: { amount: 2 } },
      { type: 'Closed', data: {} },
    ]);
    const batches = [events.slice(0, 2), events.slice(2)].map((batch) =>
      batch.map((event) => insertRecord(event)),
    );
    for (const batch of batches) await once({ Records: batch });
    for (const batch of batches) {
      await twice({ Records: batch });
      await twice({ Records: batch });
    }
    await twice({ Records: batches.flat() });
    const strip = (items: Record<string, unknown>[]) =>
      items.map(({ pk, ...rest }) => ({ ...rest, pk: (pk as string).replace(/^\w+#/, '') }));
    expect(strip(await readModel(twice))).toEqual(strip(await readModel(once)));
    expect(await readModel(once)).toContainEqual(
      expect.objectContaining({ sk: 'summary', balance: 5, closed: true }),
    );
  });

  it('reads a version delivery skipped from the events table, and applies it first', async () => {
    const handler = handlerFor({ name: 'gap' });
    const events = await appendAll('acc-gap', [
      { type: 'Opened', data: { owner: 'cy' } },
      { type: 'Deposited', data: { amount: 1 } },
      { type: 'Deposited', data: { amount: 2 } },
    ]);
    const [first, second, third] = events.map((event) => insertRecord(event));
    expect((await handler({ Records: [first!] })).batchItemFailures).toEqual([]);
    expect((await handler({ Records: [third!] })).batchItemFailures).toEqual([]);
    expect((await handler({ Records: [third!, second!] })).batchItemFailures).toEqual([]);
    const summary = (await readModel(handler)).find((item) => item.sk === 'summary');
    expect(summary).toMatchObject({ balance: 3, deposits: 2 });
  });

  it('reports a version the events table does not have, and parks the stream when it stays missing', async () => {
    const handler = handlerFor({ name: 'hole' });
    const [opened] = await appendAll('acc-hole', [{ type: 'Opened', data: { owner: 'di' } }]);
    // A record of version 3 while the table has no version 2: a hole no reader can fill.
    const orphan = insertRecord({
      ...opened!,
      version: 3,
      eventId: `${opened!.eventId}-3`,
      type: 'Deposited',
      data: { amount: 1 },
    });
    await handler({ Records: [insertRecord(opened!)] });
    expect((await handler({ Records: [orphan] })).batchItemFailures).toEqual([
      { itemIdentifier: orphan.dynamodb!.SequenceNumber },
    ]);
    expect(await handler.runtime().parking.get('hole', 'acc-hole')).toMatchObject({
      status: 'failing',
      kind: 'gap',
      version: 2,
    });
    expect((await handler({ Records: [orphan] })).batchItemFailures).toEqual([]);
    expect(await handler.runtime().parking.get('hole', 'acc-hole')).toMatchObject({
      status: 'parked',
      kind: 'gap',
      version: 2,
      attempts: 2,
    });
  });

  it('reads an item whose update is still pending by committing first', async () => {
    // Totals are kept with atomic ADDs; a snapshot item copies the total on every tenth event.
    const totals: Projection = {
      name: 'totals',
      readModel: 'testBalances',
      handles: ['Deposited'],
      async apply(event, context) {
        const key = { pk: `total#${event.streamId}`, sk: 'total' };
        const add = {
          update: {
            key,
            updateExpression: 'ADD amount :amount',
            values: { ':amount': (event.data as { amount: number }).amount },
          },
        };
        if (event.version % 10 !== 0) return [add];
        const total = await context.get(key);
        const snapshot = { pk: key.pk, sk: `at#${event.version}`, amount: total?.amount };
        return [add, { put: snapshot }];
      },
    };
    const handler = createConsumerHost({
      consumers: [totals],
      client: tables.client,
      tables: {
        events: tables.projectionTables.events,
        parkedStreams: tables.projectionTables.parkedStreams,
        readModels: { testBalances: tables.projectionTables.readModel },
      },
    });
    const events = await appendAll(
      'acc-totals',
      Array.from({ length: 20 }, () => ({ type: 'Deposited', data: { amount: 1 } })),
    );
    await handler({ Records: events.map((event) => insertRecord(event)) });
    const reader = new ReadModelReader(totals, {
      client: tables.client,
      tableName: tables.projectionTables.readModel,
    });
    const page = await reader.query({ pk: 'total#acc-totals', consistent: true });
    expect(page.items.map(({ sk, amount }) => [sk, amount])).toEqual([
      ['at#10', 9],
      ['at#20', 19],
      ['total', 20],
    ]);
  });

  it('emits the lag of each applied event as an embedded metric of its consumer', async () => {
    const previous = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const metrics = new Metrics({ namespace: 'Test', defaultDimensions: { consumer: 'lagged' } });
    process.env.POWERTOOLS_METRICS_DISABLED = previous;
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      output.push(String(chunk));
      return true;
    });
    try {
      const handler = balanceHandler(tables, { name: 'lagged' }, { metrics: () => metrics });
      const events = await appendAll('acc-lag', [
        { type: 'Opened', data: { owner: 'dee' } },
        { type: 'Deposited', data: { amount: 4 } },
      ]);
      const before = Date.now();
      await handler({ Records: events.map((event) => insertRecord(event)) });
      const maxLag = Date.now() - Date.parse(events[0]!.recordedAt);
      const emf = output
        .flatMap((line) => line.split('\n'))
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(emf).toHaveLength(1);
      const lags = emf[0]!.ConsumerLag as number[];
      expect(lags).toHaveLength(2);
      for (const lag of lags) {
        expect(lag).toBeGreaterThanOrEqual(before - Date.parse(events[1]!.recordedAt) - 1);
        expect(lag).toBeLessThanOrEqual(maxLag);
      }
      expect(emf[0]).toMatchObject({ consumer: 'lagged', ConsumerEventsApplied: 2 });
    } finally {
      write.mockRestore();
    }
  });

  it('catches up a named stream from the events table, as after records were discarded', async () => {
    const handler = handlerFor({ name: 'recovered' });
    const events = await appendAll('acc-lost', [
      { type: 'Opened', data: { owner: 'eve' } },
      { type: 'Deposited', data: { amount: 8 } },
      { type: 'Deposited', data: { amount: 9 } },
    ]);
    await handler({ Records: [insertRecord(events[0]!)] });
    expect(await handler.runtime().redrive(['acc-lost'])).toEqual([
      { streamId: 'acc-lost', released: true, appliedVersion: 3 },
    ]);
    const summary = (await readModel(handler)).find((item) => item.sk === 'summary');
    expect(summary).toMatchObject({ balance: 17, deposits: 2 });
  });
});
