import { describe, expect, it } from 'vitest';
import {
  GlobalLogSubscription,
  TableCheckpoint,
  type LoggedEvent,
} from '../../functions/eventsourcing/global-log';
import type { RecordedEvent } from '../../functions/eventsourcing';
import { waitFor } from '../../local/wait-for';
import { seededRandom } from '../support/balance-projection';
import { createGlobalLogFixture, expectExactlyOnce, waitUntilIndexed } from '../support/global-log';
import { runnerFixturePerTest } from '../support/stream-runner-fixture';

const newRunnerFixture = runnerFixturePerTest();

const collectInto = (list: LoggedEvent[]) => (events: readonly LoggedEvent[]) => {
  list.push(...events);
  return Promise.resolve();
};

/** The log fed by the local stream runner, as `npm start` runs it. */
async function liveLog() {
  const runners = await newRunnerFixture();
  const log = await createGlobalLogFixture(runners.tables);
  runners.runner(log.indexer(), { consumer: 'globalLogIndexer', settings: { batchSize: 500 } });
  const indexed = (count: number) => waitUntilIndexed(log.reader(), count);
  return { log, indexed };
}

async function appendDeposits(
  log: Awaited<ReturnType<typeof liveLog>>['log'],
  streams: readonly string[],
  count: number,
): Promise<RecordedEvent[]> {
  const appended: RecordedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const { events } = await log.store.append(
      streams[i % streams.length]!,
      [{ type: i % 7 === 0 ? 'Withdrawn' : 'Deposited', data: { amount: i } }],
      { expectedVersion: 'any' },
    );
    appended.push(...events);
  }
  return appended;
}

describe('the global log while events are appended', () => {
  it('never shows a reader a gap while 50 writers append, and misses nothing', async () => {
    const { log } = await liveLog();
    const random = seededRandom(50);
    const appended: RecordedEvent[] = [];
    let writing = true;
    const writers = Promise.all(
      Array.from({ length: 50 }, async (_, writer) => {
        let version = 0;
        for (let append = 0; append < 8; append++) {
          const size = 1 + Math.floor(random() * 3);
          const { events } = await log.store.append(
            `live-${writer}`,
            Array.from({ length: size }, () => ({ type: 'Deposited', data: { amount: 1 } })),
            { expectedVersion: version },
          );
          version += size;
          appended.push(...events);
        }
      }),
    ).finally(() => (writing = false));

    const reader = log.reader();
    const seen: LoggedEvent[] = [];
    let after = 0;
    await waitFor(
      async () => {
        const { events, next } = await reader.read({ after, limit: 50 });
        // Every read goes on exactly where the previous one stopped: nothing appears behind it.
        expect(events.map((e) => e.position)).toEqual(events.map((_, i) => after + 1 + i));
        expect(next).toBe(after + events.length);
        seen.push(...events);
        after = next;
        return !writing && seen.length === appended.length ? true : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 5,
        description: 'the reader to see every event',
        isFatal: () => true,
      },
    );
    await writers;
    expect(appended.length).toBeGreaterThanOrEqual(400);
    expectExactlyOnce(
      seen.map(({ position, event }) => ({ position, ...event })),
      appended,
    );
  });
});

describe('catch-up subscriptions', () => {
  it('started from 0 after events exist, catches up, then receives live events', async () => {
    const { log, indexed } = await liveLog();
    const streams = ['sub-a', 'sub-b', 'sub-c'];
    const history = await appendDeposits(log, streams, 120);
    await indexed(120);

    const checkpoint = new TableCheckpoint(
      log.tables.client,
      log.tables.names.subscriptionCheckpoints,
      'audit',
    );
    const delivered: LoggedEvent[] = [];
    const subscription = new GlobalLogSubscription({
      reader: log.reader(),
      checkpoint,
      from: 'start',
      batchSize: 25,
      pollIntervalMs: 20,
      handle: collectInto(delivered),
    });
    const stop = new AbortController();
    const running = subscription.run(stop.signal);
    const received = (count: number) =>
      waitFor(() => (delivered.length >= count ? true : undefined), {
        timeoutMs: 30_000,
        description: `${count} events delivered`,
      });
    await received(120);
    const live = await appendDeposits(log, streams, 40);
    await received(160);
    stop.abort();
    await running;

    expectExactlyOnce(
      delivered.map(({ position, event }) => ({ position, ...event })),
      [...history, ...live],
    );
    expect(await checkpoint.load()).toBe(160);

    // Started again, it goes on from its checkpoint.
    const resumed: LoggedEvent[] = [];
    const again = new GlobalLogSubscription({
      reader: log.reader(),
      checkpoint,
      handle: collectInto(resumed),
    });
    const later = await appendDeposits(log, streams, 5);
    await indexed(165);
    expect(await again.catchUp()).toBe(165);
    expect(resumed.map(({ event }) => event.eventId)).toEqual(later.map((e) => e.eventId));
  });

  it('started from the end, receives only what comes after; by type, only that type', async () => {
    const { log, indexed } = await liveLog();
    await appendDeposits(log, ['end-a'], 30);
    await indexed(30);
    const checkpoints = (name: string) =>
      new TableCheckpoint(log.tables.client, log.tables.names.subscriptionCheckpoints, name);
    const fromEnd: LoggedEvent[] = [];
    const withdrawals: LoggedEvent[] = [];
    const tail = new GlobalLogSubscription({
      reader: log.reader(),
      checkpoint: checkpoints('tail'),
      from: 'end',
      handle: collectInto(fromEnd),
    });
    const byType = new GlobalLogSubscription({
      reader: log.reader(),
      checkpoint: checkpoints('withdrawals'),
      types: ['Withdrawn'],
      batchSize: 2,
      handle: collectInto(withdrawals),
    });
    expect(await tail.catchUp()).toBe(30);
    const after = await appendDeposits(log, ['end-a', 'end-b'], 20);
    await indexed(50);
    expect(await tail.catchUp()).toBe(50);
    expect(fromEnd.map(({ event }) => event.eventId)).toEqual(after.map((e) => e.eventId));
    expect(await byType.catchUp()).toBe(50);
    expect(withdrawals.map(({ event }) => event.type)).toEqual(
      Array.from({ length: 8 }, () => 'Withdrawn'),
    );
    expect(withdrawals.map(({ event }) => event.data.amount)).toEqual([0, 7, 14, 21, 28, 0, 7, 14]);
  });

  it('delivers a batch again when its handler failed: at least once, never skipped', async () => {
    const { log, indexed } = await liveLog();
    await appendDeposits(log, ['retry-a'], 10);
    await indexed(10);
    const checkpoint = new TableCheckpoint(
      log.tables.client,
      log.tables.names.subscriptionCheckpoints,
      'flaky',
    );
    const handled: number[] = [];
    let failures = 1;
    const subscription = new GlobalLogSubscription({
      reader: log.reader(),
      checkpoint,
      batchSize: 4,
      handle: (events) => {
        handled.push(...events.map((e) => e.position));
        return events[0]!.position === 5 && failures-- > 0
          ? Promise.reject(new Error('downstream is down'))
          : Promise.resolve();
      },
    });
    await expect(subscription.catchUp()).rejects.toThrow('downstream is down');
    expect(await checkpoint.load()).toBe(4);
    expect(await subscription.catchUp()).toBe(10);
    expect(handled).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 8, 9, 10]);
  });
});
