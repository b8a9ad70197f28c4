import { beforeAll, describe, expect, it } from 'vitest';
import { EventStore, ReadModelReader } from '../../functions/eventsourcing';
import { balanceProjection } from '../support/balance-projection';
import { createGlobalLogFixture, readAllReferences } from '../support/global-log';
import {
  balanceHandler,
  createProjectionTestTables,
  insertRecord,
  type ProjectionTestTables,
} from '../support/projection-fixture';
import { putUnreadableEvent } from '../support/stored-items';
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

const appendAll = (streamId: string, events: { type: string; data: Record<string, unknown> }[]) =>
  store.append(streamId, events, { expectedVersion: 'any' }).then((result) => result.events);

/** Reads of missing versions from the events table go on past an item whose JSON is broken. */
describe('an event item whose data is not JSON, read from the events table', () => {
  it('is passed by a consumer that does not handle its type', async () => {
    const handler = balanceHandler(tables, { name: 'unreadable' });
    const [opened] = await appendAll('acc-unreadable', [{ type: 'Opened', data: { owner: 'ed' } }]);
    await putUnreadableEvent(tables, { ...opened!, version: 2, type: 'Noted' });
    const [, later] = await appendAll('acc-unreadable', [
      { type: 'Deposited', data: { amount: 4 } },
      { type: 'Deposited', data: { amount: 6 } },
    ]);
    // 1 and 4 delivered: 2 (unreadable, a type it does not handle) and 3 read in one range.
    const { batchItemFailures } = await handler({
      Records: [insertRecord(opened!), insertRecord(later!)],
    });
    expect([later!.version, batchItemFailures]).toEqual([4, []]);
    const reader = new ReadModelReader(balanceProjection({ name: 'unreadable' }), {
      client: tables.client,
      tableName: tables.projectionTables.readModel,
    });
    const summary = await reader.get({ pk: 'account#acc-unreadable', sk: 'summary' });
    expect(summary).toMatchObject({ balance: 10, deposits: 2 });
    expect(await handler.runtime().parking.list('unreadable')).toEqual([]);
  });

  it('gets its position in the global log like any other', async () => {
    const log = await createGlobalLogFixture(tables);
    const [opened] = await appendAll('acc-logged', [{ type: 'Opened', data: { owner: 'ed' } }]);
    await putUnreadableEvent(tables, { ...opened!, version: 2, type: 'Deposited' });
    const [later] = await appendAll('acc-logged', [{ type: 'Deposited', data: { amount: 1 } }]);
    // Only version 3 is delivered: versions 1 and 2 are read from the table.
    expect((await log.indexer()({ Records: [insertRecord(later!)] })).batchItemFailures).toEqual(
      [],
    );
    const references = await readAllReferences(log.reader());
    expect(references.map((r) => `${r.streamId}#${r.version} ${r.type}`)).toEqual([
      'acc-logged#1 Opened',
      'acc-logged#2 Deposited',
      'acc-logged#3 Deposited',
    ]);
  });
});
