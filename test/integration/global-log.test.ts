import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  backfillGlobalLog,
  createGlobalLogIndexerHandler,
  GlobalLogIndexer,
  InvalidLogReadError,
  type GlobalLogIndexerHandler,
} from '../../functions/eventsourcing/global-log';
import { EventCatalogue, EventStore, type RecordedEvent } from '../../functions/eventsourcing';
import { waitFor } from '../../local/wait-for';
import { randomHistories, seededRandom } from '../support/balance-projection';
import {
  createGlobalLogFixture,
  expectExactlyOnce,
  ownClient,
  readAllReferences,
  type GlobalLogFixture,
} from '../support/global-log';
import { appendHistories, insertRecord } from '../support/projection-fixture';
import { putStoredEvent } from '../support/stored-items';

let log: GlobalLogFixture;
beforeEach(async () => {
  log = await createGlobalLogFixture();
});

async function appendRandom(seed: number, streams: number, events: number) {
  const random = seededRandom(seed);
  const histories = randomHistories(random, { streams, events, prefix: `s${seed}` });
  return appendHistories(log.store, histories, random, { maxChunk: 5 });
}

/** Records in append order, with the records of one transaction's events sometimes swapped. */
function recordsWithSwaps(events: readonly RecordedEvent[], random: () => number) {
  const records = events.map((event) => ({ event, record: insertRecord(event) }));
  for (let i = 0; i + 1 < records.length; i++) {
    const [a, b] = [records[i]!, records[i + 1]!];
    if (a.event.streamId === b.event.streamId && a.event.recordedAt === b.event.recordedAt) {
      if (random() < 0.5) [records[i], records[i + 1]] = [b, a];
    }
  }
  return records.map(({ record }) => record);
}

function batches(records: readonly DynamoDBRecord[], random: () => number, max = 60) {
  const result: DynamoDBRecord[][] = [];
  for (let start = 0; start < records.length;) {
    const size = 1 + Math.floor(random() * max);
    result.push(records.slice(start, start + size));
    start += size;
  }
  return result;
}

/** Hands a batch to the handler as Lambda would, delivering again from any reported failure. */
async function deliver(handler: GlobalLogIndexerHandler, records: readonly DynamoDBRecord[]) {
  let pending = [...records];
  for (let attempt = 0; pending.length > 0; attempt++) {
    expect(attempt, 'deliveries of one batch').toBeLessThan(10);
    const { batchItemFailures } = await handler({ Records: pending });
    const from = batchItemFailures[0]?.itemIdentifier;
    pending = from
      ? pending.slice(pending.findIndex((r) => r.dynamodb?.SequenceNumber === from))
      : [];
  }
}

describe('global log indexer', () => {
  it('gives each event exactly one position when every batch arrives twice and events of a transaction swap', async () => {
    const random = seededRandom(1);
    const events = await appendRandom(1, 40, 400);
    const handler = log.indexer();
    for (const batch of batches(recordsWithSwaps(events, random), random)) {
      await deliver(handler, batch);
      await deliver(handler, batch);
    }
    const references = await readAllReferences(log.reader(), { limit: 97 });
    expectExactlyOnce(references, events);
    expect((await log.reader().head()).lastPosition).toBe(events.length);
  });

  it('indexes the earlier events a later batch finds missing, and nothing twice when they arrive', async () => {
    const random = seededRandom(2);
    const events = await appendRandom(2, 10, 200);
    const handler = log.indexer();
    // Batches in reverse: each stream's later events arrive before its earlier ones.
    for (const batch of batches(recordsWithSwaps(events, random), random, 20).reverse()) {
      await deliver(handler, batch);
    }
    expectExactlyOnce(await readAllReferences(log.reader()), events);
    // Records and reads of the events table alike hand on each event's hash to its leaf.
    const { events: leaves } = await log.reader().leaves(0, events.length);
    const hashes = new Map(events.map((e) => [`${e.streamId}/${e.version}`, e.hash]));
    expect(leaves).toHaveLength(events.length);
    for (const leaf of leaves) {
      expect(leaf.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(leaf.hash).toBe(hashes.get(`${leaf.streamId}/${leaf.version}`));
    }
  });

  it('stays gap-free and exactly-once with four indexers on the same records at once', async () => {
    const random = seededRandom(3);
    const events = await appendRandom(3, 30, 300);
    const records = recordsWithSwaps(events, random);
    // Like shards read in parallel, except that every record reaches all four indexers.
    await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        const handler = log.indexer({ client: ownClient(log.tables) });
        for (const batch of batches(records, seededRandom(10 + i), 80))
          await deliver(handler, batch);
      }),
    );
    expectExactlyOnce(await readAllReferences(log.reader()), events);
  });

  it('does not index an event again when another indexer took it after this one read its marker', async () => {
    const events = await appendRandom(9, 3, 24);
    // Every stream has a marker already, so only the markers' version conditions can tell.
    const firsts = events.filter((e) => e.version <= 2);
    await deliver(
      log.indexer(),
      firsts.map((event) => insertRecord(event)),
    );
    const records = events.filter((e) => e.version > 2).map((event) => insertRecord(event));
    // The late indexer reads the markers, then the other indexer indexes everything, then the
    // late one reads the (new) head: only the markers' conditions can stop it now.
    const late = ownClient(log.tables);
    let otherDone: Promise<unknown> | undefined;
    late.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { TransactItems?: unknown[]; Key?: { pk?: string } };
        if (input.Key?.pk === 'head' && !otherDone) {
          otherDone = new Promise((resolve) => setTimeout(resolve, 0)).then(() =>
            deliver(log.indexer(), records),
          );
        }
        if (input.Key?.pk === 'head') await otherDone;
        return next(args);
      },
      { step: 'initialize' },
    );
    const { batchItemFailures } = await log.indexer({ client: late })({ Records: records });
    expect(batchItemFailures).toEqual([]);
    expectExactlyOnce(await readAllReferences(log.reader()), events);
  });

  it.each([
    ['after its second page commits', 'after'],
    ['between its first and second page', 'before'],
  ] as const)('loses and doubles nothing when an indexer dies %s', async (_when, crashPoint) => {
    const events = await appendRandom(4, 150, 600);
    const records = events.map((event) => insertRecord(event));
    // The dying indexer's process freezes at the crash point, as if killed: it never answers.
    const frozen = ownClient(log.tables);
    let transactions = 0;
    let release: (reason: Error) => void = () => undefined;
    const never = new Promise<never>((_, reject) => (release = reject));
    frozen.middlewareStack.add(
      (next) => async (args) => {
        const isTransaction = 'TransactItems' in args.input;
        const isPut = isTransaction && JSON.stringify(args.input).includes('"Put"');
        if (isPut && crashPoint === 'before' && ++transactions === 2) return never;
        const result = await next(args);
        if (isPut && crashPoint === 'after' && ++transactions === 2) return never;
        return result;
      },
      { step: 'initialize' },
    );
    const dying = log.indexer({ client: frozen });
    const invocation = dying({ Records: records });
    const reader = log.reader();
    const committed = crashPoint === 'after' ? 2 : 1;
    await waitFor(async () => ((await reader.head()).pages >= committed ? true : undefined), {
      timeoutMs: 20_000,
      description: `${committed} page(s) committed before the crash`,
    });
    expect((await reader.head()).lastPosition).toBeLessThan(events.length);

    // Lambda retries the whole batch on another instance after the timeout.
    await deliver(log.indexer(), records);
    expectExactlyOnce(await readAllReferences(reader), events);
    // Even if the frozen process woke up, it would find its streams indexed.
    release(new Error('the frozen process is gone'));
    await invocation;
    expectExactlyOnce(await readAllReferences(reader), events);
  });

  it('gives the events of one delivery positions in the order they were delivered', async () => {
    const events = await appendRandom(5, 5, 40);
    const shuffled = [...events].sort((a, b) => a.eventId.localeCompare(b.eventId) * -1);
    const indexer = new GlobalLogIndexer({ client: log.tables.client, tables: log.logTables });
    const { indexed, failed } = await indexer.index(shuffled);
    expect(failed.size).toBe(0);
    // An event happened before every later event of its stream: its rank is the lowest of them.
    const rank = new Map(shuffled.map((e, i) => [`${e.streamId}#${e.version}`, i]));
    const effectiveRank = (e: { streamId: string; version: number }) =>
      Math.min(
        ...events
          .filter((other) => other.streamId === e.streamId && other.version >= e.version)
          .map((other) => rank.get(`${other.streamId}#${other.version}`)!),
      );
    const ranks = indexed.map(effectiveRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expectExactlyOnce(await readAllReferences(log.reader()), events);
  });
});

describe('global log indexer handler', () => {
  it('reports a stream it cannot index from its first record, and indexes the others', async () => {
    const { events } = await log.store.append(
      'acc-ok',
      [{ type: 'Opened', data: { owner: 'ok' } }],
      { expectedVersion: 'no_stream' },
    );
    // Version 3 of a stream whose versions 1 and 2 the events table does not hold.
    const ghost = { ...events[0]!, streamId: 'acc-ghost', version: 3, eventId: 'ghost-3' };
    const records = [insertRecord(ghost), insertRecord(events[0]!)];
    const { batchItemFailures } = await log.indexer()({ Records: records });
    expect(batchItemFailures).toEqual([{ itemIdentifier: records[0]!.dynamodb!.SequenceNumber }]);
    const references = await readAllReferences(log.reader());
    expect(references.map((r) => `${r.streamId}#${r.version}`)).toEqual(['acc-ok#1']);
  });

  it('parks a stream with a hole instead of holding the shard, and redrive indexes it once filled', async () => {
    const { client, names } = log.tables;
    const handler = createGlobalLogIndexerHandler({
      client,
      tables: log.logTables,
      parking: { tableName: names.parkedStreams, consumer: 'global-log-indexer' },
    });
    const parking = handler.parking()!;
    const holey = (version: number, type: string, data: Record<string, unknown>) => ({
      streamId: 'acc-holey',
      version,
      eventId: `holey-${version}`,
      type,
      schemaVersion: 1,
      data,
      metadata: {},
      recordedAt: new Date().toISOString(),
    });
    const [opened, third, fourth, second] = [
      holey(1, 'Opened', { owner: 'hal' }),
      holey(3, 'Deposited', { amount: 3 }),
      holey(4, 'Deposited', { amount: 4 }),
      holey(2, 'Deposited', { amount: 2 }),
    ];
    for (const event of [opened, third]) await putStoredEvent(client, names.events, event);
    const fine = await log.store.append('acc-fine', [{ type: 'Opened', data: { owner: 'fi' } }], {
      expectedVersion: 'no_stream',
    });
    const records = [insertRecord(opened), insertRecord(third), insertRecord(fine.events[0]!)];
    const logged = async () =>
      (await readAllReferences(log.reader())).map((r) => `${r.streamId}#${r.version}`);

    // First delivery: the hole is retried, the other stream is indexed.
    expect((await handler({ Records: records })).batchItemFailures).toEqual([
      { itemIdentifier: records[0]!.dynamodb!.SequenceNumber },
    ]);
    expect(await parking.parking.get('global-log-indexer', 'acc-holey')).toMatchObject({
      status: 'failing',
      attempts: 1,
    });
    // Second delivery: parked with its reason; the batch is done, the shard moves on.
    expect((await handler({ Records: records })).batchItemFailures).toEqual([]);
    expect(await parking.parking.get('global-log-indexer', 'acc-holey')).toMatchObject({
      status: 'parked',
      kind: 'gap',
      version: 2,
      attempts: 2,
      queuedUpTo: 3,
    });
    // A later event of the parked stream waits behind it; other streams flow.
    await putStoredEvent(client, names.events, fourth);
    const more = await log.store.append('acc-fine', [{ type: 'Deposited', data: { amount: 1 } }], {
      expectedVersion: 1,
    });
    const later = [insertRecord(fourth), insertRecord(more.events[0]!)];
    expect((await handler({ Records: later })).batchItemFailures).toEqual([]);
    expect(await parking.parking.get('global-log-indexer', 'acc-holey')).toMatchObject({
      status: 'parked',
      queuedUpTo: 4,
    });
    expect(await logged()).toEqual(['acc-fine#1', 'acc-fine#2']);

    // A redrive before the fix keeps it parked with the reason; after it, indexes it in order.
    expect(await parking.redrive(handler.indexer())).toMatchObject([
      { streamId: 'acc-holey', released: false, failure: { kind: 'gap', version: 2 } },
    ]);
    await putStoredEvent(client, names.events, second);
    expect(await parking.redrive(handler.indexer())).toEqual([
      { streamId: 'acc-holey', released: true, appliedVersion: 4 },
    ]);
    expect(await parking.parking.get('global-log-indexer', 'acc-holey')).toBeUndefined();
    // Every record delivered again, the fix's own included, indexes nothing twice.
    const all = [...records, ...later, insertRecord(second)];
    expect((await handler({ Records: all })).batchItemFailures).toEqual([]);
    expect(await logged()).toEqual([
      'acc-fine#1',
      'acc-fine#2',
      'acc-holey#1',
      'acc-holey#2',
      'acc-holey#3',
      'acc-holey#4',
    ]);
  });

  it('emits its lag and the events it indexed as embedded metrics', async () => {
    const previous = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'globalLog' });
    process.env.POWERTOOLS_METRICS_DISABLED = previous;
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      output.push(String(chunk));
      return true;
    });
    try {
      const handler = createGlobalLogIndexerHandler({
        client: log.tables.client,
        tables: log.logTables,
        metrics,
      });
      const { events } = await log.store.append(
        'acc-lag',
        [
          { type: 'Opened', data: { owner: 'dee' } },
          { type: 'Deposited', data: { amount: 4 } },
        ],
        { expectedVersion: 'no_stream' },
      );
      const before = Date.now();
      await handler({ Records: events.map((event) => insertRecord(event)) });
      const after = Date.now();
      const emf = output
        .flatMap((line) => line.split('\n'))
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(emf).toHaveLength(1);
      expect(emf[0]).toMatchObject({ GlobalLogEventsIndexed: 2 });
      const lag = emf[0]!.GlobalLogLag as number;
      expect(lag).toBeGreaterThanOrEqual(before - Date.parse(events[1]!.recordedAt));
      expect(lag).toBeLessThanOrEqual(after - Date.parse(events[1]!.recordedAt));
    } finally {
      write.mockRestore();
    }
  });
});

describe('global log reader', () => {
  it('returns events with their positions, upcast and parsed', async () => {
    // The deposit as an older release stored it: schema version 1, amount in a string.
    const { events: opened } = await log.store.append(
      'acc-1',
      [{ type: 'Opened', data: { owner: 'ann' } }],
      { expectedVersion: 'no_stream' },
    );
    await putStoredEvent(log.tables.client, log.tables.names.events, {
      streamId: 'acc-1',
      version: 2,
      type: 'Deposited',
      data: { cents: '250' },
    });
    const asStored = new EventStore({
      client: log.tables.client,
      tableName: log.tables.names.events,
    });
    const [deposit] = await asStored.read('acc-1', { fromVersion: 2 });
    const events = [...opened, deposit!];
    await log.indexer()({ Records: events.map((e) => insertRecord(e)) });
    const catalogue = EventCatalogue.of(
      {
        Opened: z.object({ owner: z.string() }),
        Deposited: z.object({ amount: z.number() }),
      },
      { Deposited: { 1: (d) => ({ amount: Number(d.cents) }) } },
    );
    const reader = log.reader({ catalogue });
    const { events: read, next } = await reader.read({ after: 0, limit: 10 });
    expect(next).toBe(2);
    expect(read.map(({ position, event }) => [position, event.type, event.data])).toEqual([
      [1, 'Opened', { owner: 'ann' }],
      [2, 'Deposited', { amount: 250 }],
    ]);
    expect(read[1]!.event).toMatchObject({ streamId: 'acc-1', version: 2, schemaVersion: 2 });
    const strict = EventCatalogue.of({
      Opened: z.object({ owner: z.string() }),
      Deposited: z.object({ amount: z.string() }),
    });
    await expect(log.reader({ catalogue: strict }).read()).rejects.toMatchObject({
      code: 'CorruptEvent',
      streamId: 'acc-1',
      version: 2,
    });
  });

  it('reads one type, or several, across all streams in log order', async () => {
    const events = await appendRandom(6, 20, 250);
    await deliver(
      log.indexer(),
      events.map((e) => insertRecord(e)),
    );
    const reader = log.reader();
    const all = await readAllReferences(reader);
    for (const types of [['Withdrawn'], ['Closed'], ['Opened', 'Closed'], ['Nothing']]) {
      const expected = all.filter((r) => types.includes(r.type));
      for (const limit of [3, 1000]) {
        expect(await readAllReferences(reader, { types, limit })).toEqual(expected);
      }
    }
    const closed = await reader.readType('Closed', { after: 0, limit: 1000 });
    expect(closed.events.map(({ event }) => event.type)).toEqual(
      all.filter((r) => r.type === 'Closed').map(() => 'Closed'),
    );
    // Nothing of the type after it: `next` moves to the end of the log, not just to the last match.
    expect(closed.next).toBe(events.length);
  });

  it('crosses epochs: pages stay inside one, reads and type reads go on in the next', async () => {
    const events = await appendRandom(7, 6, 90);
    const positionsPerEpoch = 7;
    const handler = log.indexer({ positionsPerEpoch });
    for (const batch of batches(
      events.map((e) => insertRecord(e)),
      seededRandom(7),
      30,
    )) {
      await deliver(handler, batch);
    }
    const reader = log.reader({ positionsPerEpoch });
    const all = await readAllReferences(reader, { limit: 11 });
    expectExactlyOnce(all, events);
    expect(await readAllReferences(reader, { types: ['Deposited'], limit: 3 })).toEqual(
      all.filter((r) => r.type === 'Deposited'),
    );
    expect((await reader.head()).pages).toBeGreaterThanOrEqual(Math.ceil(events.length / 7));
  });

  it('never passes a page or type page whose predecessor is not visible yet', async () => {
    const { events } = await log.store.append(
      'acc-1',
      Array.from({ length: 4 }, () => ({ type: 'Deposited', data: { amount: 1 } })),
      { expectedVersion: 'no_stream' },
    );
    await log.indexer()({ Records: events.slice(0, 2).map((e) => insertRecord(e)) });
    // Positions 3 and 4 as another indexer's transaction leaves them while it is still
    // committing: page and type page 4 visible, page and type page 3 not yet.
    const doc = DynamoDBDocumentClient.from(log.tables.client);
    const entry = (e: RecordedEvent) => ({ s: e.streamId, v: e.version, r: e.recordedAt });
    const put = (Item: Record<string, unknown>) =>
      doc.send(new PutCommand({ TableName: log.logTables.globalLog, Item }));
    await put({ pk: 'page#0', sk: 4, entries: [{ ...entry(events[3]!), t: 'Deposited' }] });
    await put({
      pk: 'type#Deposited#0',
      sk: 4,
      previous: 3,
      entries: [{ p: 4, ...entry(events[3]!) }],
    });
    await put({
      ...{ pk: 'head', sk: 0 },
      lastPosition: 4,
      pages: 3,
      types: { Deposited: { last: 4, count: 4 } },
    });
    const reader = log.reader();
    expect(await reader.references({ after: 0 })).toMatchObject({ next: 2 });
    expect((await reader.references({ after: 0 })).events).toHaveLength(2);
    expect(await reader.references({ after: 0, types: ['Deposited'] })).toMatchObject({ next: 2 });
    expect(await reader.references({ after: 2, types: ['Deposited'] })).toEqual({
      events: [],
      next: 2,
    });

    await put({ pk: 'page#0', sk: 3, entries: [{ ...entry(events[2]!), t: 'Deposited' }] });
    await put({
      pk: 'type#Deposited#0',
      sk: 3,
      previous: 2,
      entries: [{ p: 3, ...entry(events[2]!) }],
    });
    expect((await reader.references({ after: 2 })).events.map((r) => r.version)).toEqual([3, 4]);
    expect(await reader.references({ after: 2, types: ['Deposited'] })).toMatchObject({ next: 4 });
  });

  it('refuses reads it cannot answer', async () => {
    const reader = log.reader();
    for (const options of [
      { after: -1 },
      { after: 1.5 },
      { limit: 0 },
      { limit: 1001 },
      { types: [] },
    ]) {
      await expect(reader.read(options)).rejects.toBeInstanceOf(InvalidLogReadError);
    }
    expect(await reader.read({ after: 5 })).toEqual({ events: [], next: 5 });
  });
});

describe('global log backfill', () => {
  it('indexes history the stream never delivered, stream by stream, and nothing twice', async () => {
    const early = await appendRandom(8, 25, 300);
    const handler = log.indexer();
    // The indexer only ever saw a few of the newest records: the rest had expired.
    await deliver(
      handler,
      early.slice(-20).map((e) => insertRecord(e)),
    );
    const before = (await log.reader().head()).lastPosition;
    expect(before).toBeLessThan(early.length);
    const indexer = new GlobalLogIndexer({ client: log.tables.client, tables: log.logTables });
    const progress: number[] = [];
    const first = await backfillGlobalLog(indexer, log.logTables.events, {
      pageSize: 37,
      onProgress: (p) => progress.push(p.scanned),
    });
    expect(first.scanned).toBe(early.length);
    expect(first.failedStreams).toBe(0);
    expect(progress.at(-1)).toBe(early.length);
    expectExactlyOnce(await readAllReferences(log.reader()), early);
    expect(first.indexed).toBe(early.length - before);
    const again = await backfillGlobalLog(indexer, log.logTables.events);
    expect(again).toEqual({ scanned: early.length, indexed: 0, failedStreams: 0 });
  });
});
