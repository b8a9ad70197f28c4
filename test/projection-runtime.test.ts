import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EventStore,
  ReadModelReader,
  createProjectionHandler,
  type ProjectionHandler,
  type RecordedEvent,
} from '../functions/eventsourcing';
import { balanceProjection } from './support/balance-projection';
import {
  createProjectionTestTables,
  insertRecord,
  type ProjectionTestTables,
} from './support/projection-fixture';

let tables: ProjectionTestTables;
let store: EventStore;

beforeAll(async () => {
  tables = await createProjectionTestTables();
  store = new EventStore({ client: tables.client, tableName: tables.names.events });
});

function handlerFor(options: { isPoison?: (event: RecordedEvent) => boolean; name?: string } = {}) {
  return createProjectionHandler(balanceProjection(options), {
    client: tables.client,
    tables: tables.projectionTables,
  });
}

async function appendAll(streamId: string, events: { type: string; data: object }[]) {
  const result = await store.append(
    streamId,
    events.map((event) => ({ type: event.type, data: event.data as Record<string, unknown> })),
    { expectedVersion: 'any' },
  );
  return result.events;
}

async function readModel(handler: ProjectionHandler) {
  const { Items = [] } = await tables.client.send(
    new ScanCommand({ TableName: tables.projectionTables.readModel, ConsistentRead: true }),
  );
  const prefix = `${handler.projection.name}#`;
  return Items.map((item) => unmarshall(item))
    .filter((item) => (item.pk as string).startsWith(prefix))
    .sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`));
}

describe('projection handler', () => {
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
    const reader = new ReadModelReader(handler.projection, {
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

  it('reports a gap as the first record to deliver again', async () => {
    const handler = handlerFor({ name: 'gap' });
    const events = await appendAll('acc-gap', [
      { type: 'Opened', data: { owner: 'cy' } },
      { type: 'Deposited', data: { amount: 1 } },
      { type: 'Deposited', data: { amount: 2 } },
    ]);
    const [first, second, third] = events.map((event) => insertRecord(event));
    expect((await handler({ Records: [first!] })).batchItemFailures).toEqual([]);
    const response = await handler({ Records: [third!] });
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: third!.dynamodb!.SequenceNumber },
    ]);
    expect((await handler({ Records: [third!, second!] })).batchItemFailures).toEqual([]);
    const summary = (await readModel(handler)).find((item) => item.sk === 'summary');
    expect(summary).toMatchObject({ balance: 3 });
  });
});
