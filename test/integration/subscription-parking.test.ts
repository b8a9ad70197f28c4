import { describe, expect, it } from 'vitest';
import {
  GlobalLogSubscription,
  TableCheckpoint,
  TableParking,
  type LoggedEvent,
} from '../../functions/eventsourcing/global-log';
import type { RecordedEvent } from '../../functions/eventsourcing';
import { createGlobalLogFixture } from '../support/global-log';
import { runOperator, testEsContext } from '../support/operator';
import { insertRecord } from '../support/projection-fixture';

/** Two streams, their events interleaved in the log: a@1 b@1 a@2 b@2 a@3 b@3. */
async function interleavedLog() {
  const log = await createGlobalLogFixture();
  const appended: RecordedEvent[] = [];
  for (let round = 0; round < 3; round++) {
    for (const streamId of ['park-a', 'park-b']) {
      const { events } = await log.store.append(
        streamId,
        [{ type: 'Deposited', data: { amount: round } }],
        { expectedVersion: round },
      );
      appended.push(...events);
    }
  }
  await log.indexer()({ Records: appended.map((event) => insertRecord(event)) });
  return log;
}

const keyOf = ({ position, event }: LoggedEvent) =>
  `${position} ${event.streamId}@${event.version}`;

describe('a subscription with parking', () => {
  it('parks the event its handler throws on and those behind it, and a redrive delivers them once', async () => {
    const log = await interleavedLog();
    const { client, names } = log.tables;
    const parking = new TableParking(client, names.subscriptionCheckpoints, 'export');
    const calls: string[][] = [];
    let broken = true;
    const subscription = new GlobalLogSubscription({
      reader: log.reader(),
      checkpoint: new TableCheckpoint(client, names.subscriptionCheckpoints, 'export'),
      parking,
      handle: (events) => {
        calls.push(events.map(keyOf));
        const poison = events.find(
          ({ event }) => event.streamId === 'park-a' && event.version === 2,
        );
        return broken && poison
          ? Promise.reject(new TypeError('ledger refuses the entry'))
          : Promise.resolve();
      },
    });

    // The subscription goes past the batch instead of stopping at it.
    expect(await subscription.catchUp()).toBe(6);
    const whole = [
      '1 park-a@1',
      '2 park-b@1',
      '3 park-a@2',
      '4 park-b@2',
      '5 park-a@3',
      '6 park-b@3',
    ];
    expect(calls).toEqual([
      whole,
      whole,
      ['1 park-a@1'],
      ['2 park-b@1'],
      ['3 park-a@2'],
      ['4 park-b@2'],
      ['6 park-b@3'],
    ]);
    expect(await parking.list()).toMatchObject([
      {
        position: 3,
        streamId: 'park-a',
        version: 2,
        status: 'failed',
        errorName: 'TypeError',
        error: 'ledger refuses the entry',
      },
      { position: 5, streamId: 'park-a', version: 3, status: 'queued', behind: 3 },
    ]);

    // Still failing: a redrive keeps them parked with the reason.
    calls.length = 0;
    expect(await subscription.redrive()).toMatchObject({
      delivered: [],
      parked: [
        { position: 3, status: 'failed' },
        { position: 5, status: 'queued' },
      ],
    });
    expect(await parking.list()).toHaveLength(2);

    // Fixed: one redrive delivers the parked events once, in order, and releases them.
    broken = false;
    calls.length = 0;
    expect(await subscription.redrive()).toEqual({ delivered: [3, 5], parked: [] });
    expect(calls).toEqual([['3 park-a@2', '5 park-a@3']]);
    expect(await parking.list()).toEqual([]);
    calls.length = 0;
    expect(await subscription.redrive()).toEqual({ delivered: [], parked: [] });
    expect(await subscription.catchUp()).toBe(6);
    expect(calls).toEqual([]);
  });

  it('is what tail --name parks in, lists with --parked and prints again with --redrive', async () => {
    const log = await interleavedLog();
    const { client, names } = log.tables;
    const subscription = new GlobalLogSubscription({
      reader: log.reader(),
      checkpoint: new TableCheckpoint(client, names.subscriptionCheckpoints, 'printer'),
      parking: new TableParking(client, names.subscriptionCheckpoints, 'printer'),
      parkAfterAttempts: 1,
      handle: (events) =>
        events.some(({ event }) => event.streamId === 'park-b')
          ? Promise.reject(new Error('printer jammed'))
          : Promise.resolve(),
    });
    expect(await subscription.catchUp()).toBe(6);

    const tail = (...args: string[]) =>
      runOperator(['tail', '--name', 'printer', ...args], (io) =>
        testEsContext(log.tables, io, { log: log.reader() }),
      );
    expect((await tail('--parked')).lines).toEqual([
      '2\tpark-b@1\tDeposited\tfailed: Error: printer jammed',
      '4\tpark-b@2\tDeposited\tqueued: Queued: waits behind position 2 of its stream',
      '6\tpark-b@3\tDeposited\tqueued: Queued: waits behind position 2 of its stream',
    ]);
    const redriven = await tail('--redrive');
    expect(redriven.code).toBe(0);
    const printed = redriven.lines.map((printedLine) => {
      const [position, , at] = printedLine.split('\t');
      return `${position} ${at}`;
    });
    expect(printed).toEqual(['2 park-b@1', '4 park-b@2', '6 park-b@3']);
    expect((await tail('--parked')).output).toBe('No parked positions for printer.');
    const unnamed = await runOperator(['tail', '--parked'], (io) =>
      testEsContext(log.tables, io, { log: log.reader() }),
    );
    expect(unnamed.output).toContain('--parked and --redrive need the --name of a subscription');
  });
});
