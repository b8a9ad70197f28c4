import type { DynamoDBStreamEvent } from 'aws-lambda';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../functions/eventsourcing';
import { waitFor } from '../../local/wait-for';
import { expectedBalances, randomHistories, seededRandom } from '../support/balance-projection';
import { appendHistories, balanceHandler, generationItems } from '../support/projection-fixture';
import { runnerFixturePerTest } from '../support/stream-runner-fixture';

const newFixture = runnerFixturePerTest();

async function setUp() {
  const fixture = await newFixture();
  const { client, projectionTables } = fixture.tables;
  const handlerFor = (
    name: string,
    options: { isPoison?: (event: RecordedEvent) => boolean; parkAfterAttempts?: number } = {},
  ) =>
    balanceHandler(
      fixture.tables,
      { name, isPoison: options.isPoison },
      { parkAfterAttempts: options.parkAfterAttempts },
    );
  const readModel = async (name: string) =>
    Object.fromEntries(await generationItems(client, projectionTables.readModel, name, 1));
  return { fixture, store: fixture.store, handlerFor, readModel };
}

/** Waits until the projection's read model is exactly what the events call for. */
async function expectReadModel(
  readModel: () => Promise<Record<string, object>>,
  events: readonly RecordedEvent[],
  description: string,
) {
  const expected = Object.fromEntries(expectedBalances(events));
  await waitFor(async () => (isDeepStrictEqual(await readModel(), expected) ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 100,
    description,
  });
}

describe('projections fed by the local stream runner', () => {
  it('gives the same read model when every batch is delivered twice', async () => {
    const { fixture, store, handlerFor, readModel } = await setUp();
    const once = handlerFor('once');
    const twice = handlerFor('twice');
    const deliverTwice = async (event: DynamoDBStreamEvent) => {
      const first = await twice(event);
      const second = await twice(event);
      expect(second.batchItemFailures).toEqual(first.batchItemFailures);
      return second;
    };
    fixture.runner(once, { consumer: 'once', settings: { batchSize: 7 } });
    fixture.runner(deliverTwice, { consumer: 'twice', settings: { batchSize: 7 } });
    const random = seededRandom(1);
    const events = await appendHistories(
      store,
      randomHistories(random, { streams: 10, events: 300, prefix: 'dup' }),
      random,
    );
    await expectReadModel(() => readModel('once'), events, 'the read model delivered once');
    await expectReadModel(() => readModel('twice'), events, 'the read model delivered twice');
    expect(await readModel('twice')).toEqual(await readModel('once'));
  });

  it('applies events of one stream that arrive swapped inside a batch', async () => {
    const { fixture, store, handlerFor, readModel } = await setUp();
    const projection = handlerFor('swapped');
    let swappedBatches = 0;
    // DynamoDB Streams orders records per item only: deliver each batch in reverse.
    const reversing = (event: DynamoDBStreamEvent) => {
      if (event.Records.length > 1) swappedBatches += 1;
      return projection({ Records: [...event.Records].reverse() });
    };
    fixture.runner(reversing, { settings: { batchSize: 50 } });
    const random = seededRandom(2);
    const events = await appendHistories(
      store,
      randomHistories(random, { streams: 5, events: 200, prefix: 'swap' }),
      random,
    );
    await expectReadModel(() => readModel('swapped'), events, 'the read model');
    expect(swappedBatches).toBeGreaterThan(0);
  });

  it('parks a stream with a poison event while other streams flow, and redrive completes it', async () => {
    const { fixture, store, handlerFor, readModel } = await setUp();
    let broken = true;
    const isPoison = (event: RecordedEvent) =>
      broken && event.streamId === 'acc-a' && event.version === 3;
    const handler = handlerFor('poisoned', { isPoison, parkAfterAttempts: 3 });
    fixture.runner(handler, { settings: { batchSize: 10, maxRetryAttempts: 10 } });

    const append = (streamId: string, events: { type: string; data: object }[]) =>
      store.append(
        streamId,
        events.map((event) => ({ type: event.type, data: event.data as Record<string, unknown> })),
        { expectedVersion: 'any' },
      );
    const recorded: RecordedEvent[] = [];
    recorded.push(
      ...(
        await append('acc-a', [
          { type: 'Opened', data: { owner: 'ann' } },
          { type: 'Deposited', data: { amount: 10 } },
          { type: 'Deposited', data: { amount: 20 } },
        ])
      ).events,
      ...(await append('acc-b', [{ type: 'Opened', data: { owner: 'bob' } }])).events,
    );
    const parked = await waitFor(
      async () => {
        const records = await handler.runtime().parking.list('poisoned');
        return records.find((record) => record.status === 'parked');
      },
      { timeoutMs: 30_000, description: 'acc-a to be parked' },
    );
    expect(parked).toMatchObject({
      streamId: 'acc-a',
      version: 3,
      eventId: recorded[2]!.eventId,
      eventType: 'Deposited',
      kind: 'poison',
      error: `cannot project ${recorded[2]!.eventId}`,
      attempts: 3,
    });

    // Later events of A queue behind the park; B keeps being projected.
    recorded.push(
      ...(await append('acc-a', [{ type: 'Withdrawn', data: { amount: 5 } }])).events,
      ...(await append('acc-b', [{ type: 'Deposited', data: { amount: 7 } }])).events,
    );
    await waitFor(
      async () =>
        isDeepStrictEqual((await readModel('poisoned'))['account#acc-b|summary'], {
          owner: 'bob',
          balance: 7,
          deposits: 1,
        })
          ? true
          : undefined,
      { timeoutMs: 30_000, description: 'acc-b to flow past the park' },
    );
    await waitFor(
      async () =>
        (await handler.runtime().parking.get('poisoned', 'acc-a'))?.queuedUpTo === 4
          ? true
          : undefined,
      { timeoutMs: 30_000, description: 'the withdrawal to queue behind the park' },
    );
    expect((await readModel('poisoned'))['account#acc-a|summary']).toMatchObject({ balance: 10 });

    broken = false;
    const outcomes = await handler.runtime().redrive();
    expect(outcomes).toEqual([{ streamId: 'acc-a', released: true, appliedVersion: 4 }]);
    await expectReadModel(() => readModel('poisoned'), recorded, 'the redriven read model');
    expect(await handler.runtime().parking.list('poisoned')).toEqual([]);

    recorded.push(...(await append('acc-a', [{ type: 'Deposited', data: { amount: 1 } }])).events);
    await expectReadModel(() => readModel('poisoned'), recorded, 'events after the redrive');
    expect(await fixture.failures.list('consumer')).toEqual([]);
  });

  it('loses nothing when the runner stops and restarts mid-flow', async () => {
    const { fixture, store, handlerFor, readModel } = await setUp();
    const projection = handlerFor('restarted');
    let delivered = 0;
    const counting = async (event: DynamoDBStreamEvent) => {
      const response = await projection(event);
      delivered += event.Records.length;
      return response;
    };
    const random = seededRandom(3);
    const histories = randomHistories(random, { streams: 20, events: 1200, prefix: 'rs' });
    let runner = fixture.runner(counting, { settings: { batchSize: 25 } });
    const appending = appendHistories(store, histories, random, { maxChunk: 4 });
    for (let restart = 1; restart <= 3; restart++) {
      await waitFor(() => (delivered >= restart * 200 ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 5,
        description: `${restart * 200} records before restart ${restart}`,
      });
      await runner.stop();
      runner = fixture.runner(counting, { settings: { batchSize: 25 } });
    }
    const events = await appending;
    await expectReadModel(() => readModel('restarted'), events, 'the read model after restarts');
  });
});
