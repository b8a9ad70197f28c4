import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { historyTools } from '../../local/es/history-target';
import { runOperator, testEsContext } from '../support/operator';
import * as z from 'zod';
import {
  AggregateRepository,
  ConcurrencyError,
  EventCatalogue,
  EventStore,
  SnapshotStore,
  everyNEvents,
  type Decider,
  StreamClosedError,
  type RecordedEvent,
} from '../../functions/eventsourcing';
import { GlobalLogReader } from '../../functions/eventsourcing/global-log';
import { StoredEventItems } from '../../functions/eventsourcing/integrity/stored-items';
import { ArchivedEvents } from '../../functions/eventsourcing/archive/archived-events';
import { StreamArchiver } from '../../functions/eventsourcing/archive/archiver';
import { EventArchive } from '../../functions/eventsourcing/archive/event-archive';
import { segmentChain } from '../../functions/eventsourcing/archive/segments';
import type { RetentionRule } from '../../functions/eventsourcing/archive/retention';
import { InMemorySubjectKeys } from '../../functions/eventsourcing/personal/in-memory-subject-keys';
import { PersonalData } from '../../functions/eventsourcing/personal/personal-data';
import {
  createHistoryFixture,
  fullFindings,
  happened,
  type HistoryFixture,
} from '../support/history';
import { storedVersions } from '../support/stored-items';
import { seededRandom } from '../support/balance-projection';

/** A fixture of verifiable history with an archive bucket beside the checkpoints. */
interface ArchiveFixture extends HistoryFixture {
  readonly archive: EventArchive;
  readonly source: () => Promise<EventArchive>;
  /** A store reading through the archive, as every function's does. */
  archivedStore(): EventStore;
  archiver(options?: {
    rules?: readonly RetentionRule[];
    client?: DynamoDBClient;
    s3?: S3Client;
    now?: Date;
  }): StreamArchiver;
  /** Every archived or stored item of a stream, exactly as stored. */
  storedItems(streamId: string): Promise<unknown[]>;
  /** Seals everything indexed so far into a signed checkpoint. */
  seal(): Promise<void>;
}

async function createArchiveFixture(): Promise<ArchiveFixture> {
  const history = await createHistoryFixture();
  const bucket = `archive-${randomUUID().slice(0, 8)}`;
  await history.s3.send(
    new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }),
  );
  const archive = new EventArchive(history.s3, bucket);
  const source = () => Promise.resolve(archive);
  const { client, names } = history.tables;
  return {
    ...history,
    archive,
    source,
    archivedStore: () =>
      new EventStore({
        client,
        tableName: names.events,
        catalogue: history.store().catalogue!,
        archive: source,
      }),
    archiver: (options = {}) =>
      new StreamArchiver({
        client: options.client ?? client,
        tables: { events: names.events, seals: names.seals },
        archive: options.s3 ? new EventArchive(options.s3, bucket) : archive,
        rules: options.rules ?? [],
        ...(options.now ? { clock: () => options.now! } : {}),
        log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      }),
    storedItems: (streamId) =>
      new StoredEventItems(
        client,
        names.events,
        new ArchivedEvents(client, names.events, source),
      ).range(streamId, 1),
    async seal() {
      await history.sealer().seal();
    },
  };
}

/** Everything a reader can see of a stream, by every read path. */
async function everyRead(
  fixture: ArchiveFixture,
  streamId: string,
  length: number,
  random: () => number,
) {
  const store = fixture.archivedStore();
  const from = 1 + Math.floor(random() * length);
  const to = from + Math.floor(random() * (length - from + 1));
  const latest = 1 + Math.floor(random() * length);
  return {
    all: await store.read(streamId),
    range: await store.read(streamId, { fromVersion: from, toVersion: to }),
    limited: await store.read(streamId, { fromVersion: from, limit: 3 }),
    backward: await store.read(streamId, { direction: 'backward', toVersion: to, limit: 4 }),
    latest: await store.readLatest(streamId, latest),
    head: await store.headVersion(streamId),
    stored: await fixture.storedItems(streamId),
  };
}

async function logEvents(fixture: ArchiveFixture): Promise<RecordedEvent[]> {
  const reader = new GlobalLogReader({
    client: fixture.tables.client,
    tables: { globalLog: fixture.tables.names.globalLog, events: fixture.tables.names.events },
    archive: fixture.source,
  });
  const events: RecordedEvent[] = [];
  for (let after = 0; ;) {
    const slice = await reader.read({ after, limit: 100 });
    events.push(...slice.events.map((logged) => logged.event));
    if (slice.events.length === 0) return events;
    after = slice.next;
  }
}

/** A client whose `nth` request named `command` fails, as a process killed right then would. */
function crashingAt<Client extends { send: (...args: never[]) => unknown }>(
  client: Client,
  command: string,
  nth: number,
): Client {
  let seen = 0;
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
      return (request: { constructor: { name: string } }, ...rest: unknown[]) => {
        if (request.constructor.name === command && ++seen === nth) {
          return Promise.reject(new Error(`crashed at ${command} #${nth}`));
        }
        return (target.send as (...args: unknown[]) => unknown).call(target, request, ...rest);
      };
    },
  });
}

let fixture: ArchiveFixture;
let streamCounter = 0;
const newStreamId = () => `archived-${Date.now()}-${++streamCounter}`;

beforeAll(async () => {
  fixture = await createArchiveFixture();
});

describe('archived history reads back as it was', () => {
  it('is identical by every read path, over random streams and cut points, and verifies', async () => {
    const random = seededRandom(22);
    const streams = Array.from({ length: 6 }, () => ({
      streamId: newStreamId(),
      sealed: 2 + Math.floor(random() * 30),
      after: Math.floor(random() * 5),
    }));
    for (const stream of streams) await fixture.append(stream.streamId, happened(stream.sealed));
    await fixture.seal();
    for (const stream of streams) {
      if (stream.after > 0) {
        await fixture.append(stream.streamId, happened(stream.after, stream.sealed + 1));
      }
    }
    const seeds = streams.map(() => Math.floor(random() * 1e9));
    const before = await Promise.all(
      streams.map((s, i) =>
        everyRead(fixture, s.streamId, s.sealed + s.after, seededRandom(seeds[i]!)),
      ),
    );
    const logBefore = await logEvents(fixture);

    const archiver = fixture.archiver();
    for (const { streamId } of streams) await archiver.archiveStream(streamId);

    for (const [i, stream] of streams.entries()) {
      const total = stream.sealed + stream.after;
      // All but the last version, as far as the checkpoint covers, left the table.
      const archivedTo = Math.min(stream.sealed, total - 1);
      expect(
        await storedVersions(fixture.tables.client, fixture.tables.names.events, stream.streamId),
      ).toEqual(Array.from({ length: total - archivedTo }, (_, k) => archivedTo + 1 + k));
      expect(await everyRead(fixture, stream.streamId, total, seededRandom(seeds[i]!))).toEqual(
        before[i],
      );
    }
    expect(await logEvents(fixture)).toEqual(logBefore);
    expect(
      await fullFindings({ ...fixture, verifier: () => verifierWithArchive(fixture) }),
    ).toEqual([]);
  });

  it('loads an archived stream through a repository-style read with a stale writer held off', async () => {
    const streamId = newStreamId();
    const stale = fixture.archivedStore();
    await stale.append(streamId, happened(3), { expectedVersion: 'no_stream' });
    await fixture.index(await fixture.archivedStore().read(streamId));
    await fixture.archivedStore().append(streamId, happened(2, 4), { expectedVersion: 3 });
    await fixture.index((await fixture.archivedStore().read(streamId)).slice(3));
    await fixture.seal();
    const result = await fixture.archiver().archiveStream(streamId);
    expect(result.moved).toMatchObject({ from: 1, to: 4 });
    // `stale` saw version 3 itself: it would write version 4 without reading anything.
    await expect(
      stale.append(streamId, happened(1, 99), { expectedVersion: 3 }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(
      fixture.archivedStore().append(streamId, happened(1, 99), { expectedVersion: 1 }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await fixture.archivedStore().read(streamId)).map((e) => e.data)).toEqual(
      [1, 2, 3, 4, 5].map((n) => ({ n })),
    );
    const appended = await fixture
      .archivedStore()
      .append(streamId, happened(1, 6), { expectedVersion: 5 });
    expect(appended.version).toBe(6);
  });
});

describe('the archiver survives a crash at any step', () => {
  const steps = [
    ['the segment upload', 's3', 'PutObjectCommand', 1],
    ['the archive mark', 'dynamodb', 'PutItemCommand', 1],
    ['the first removal', 'dynamodb', 'DeleteItemCommand', 1],
    ['a removal midway', 'dynamodb', 'DeleteItemCommand', 4],
  ] as const;

  it.each(steps)(
    'resumes after a crash at %s: nothing lost, nothing doubled',
    async (_, service, command, nth) => {
      const streamId = newStreamId();
      await fixture.append(streamId, happened(9));
      await fixture.seal();
      const before = await fixture.storedItems(streamId);
      const crashing =
        service === 's3'
          ? fixture.archiver({ s3: crashingAt(fixture.s3, command, nth) })
          : fixture.archiver({ client: crashingAt(fixture.tables.client, command, nth) });
      await expect(crashing.archiveStream(streamId)).rejects.toThrow(/crashed/);
      // Between the crash and the resumption, readers see the stream whole.
      expect(await fixture.storedItems(streamId)).toEqual(before);
      expect(await fixture.archivedStore().read(streamId)).toHaveLength(9);

      await fixture.archiver().archiveStream(streamId);
      await fixture.archiver().archiveStream(streamId);
      expect(await fixture.storedItems(streamId)).toEqual(before);
      expect(
        await storedVersions(fixture.tables.client, fixture.tables.names.events, streamId),
      ).toEqual([9]);
      const segments = await fixture.archive.segments(streamId);
      expect(segmentChain(segments, 8)).toEqual([{ streamId, from: 1, to: 8 }]);
      expect(segments).toHaveLength(1);
    },
  );

  it('keeps an item that differs from what was archived, and the verifier reports it', async () => {
    const streamId = newStreamId();
    await fixture.append(streamId, happened(4));
    await fixture.seal();
    const segmentWriter = crashingAt(fixture.tables.client, 'DeleteItemCommand', 1);
    await expect(
      fixture.archiver({ client: segmentWriter }).archiveStream(streamId),
    ).rejects.toThrow(/crashed/);
    // A raw write changes version 1 after it was archived: the archive's copy is the record.
    await fixture.tables.client.send(
      new (await import('@aws-sdk/client-dynamodb')).PutItemCommand({
        TableName: fixture.tables.names.events,
        Item: {
          ...(
            await new StoredEventItems(fixture.tables.client, fixture.tables.names.events).range(
              streamId,
              1,
              1,
            )
          )[0]!,
          data: { S: '{"n":100}' },
        },
      }),
    );
    await fixture.archiver().archiveStream(streamId);
    expect(
      await storedVersions(fixture.tables.client, fixture.tables.names.events, streamId),
    ).toEqual([1, 4]);
    // Readers see what the table holds, and the verifier says it is not what was sealed.
    expect((await fixture.archivedStore().read(streamId))[0]?.data).toEqual({ n: 100 });
    expect(
      await fullFindings({ ...fixture, verifier: () => verifierWithArchive(fixture) }),
    ).toContain(`hash-mismatch@${streamId}/1`);
  });
});

describe('retention', () => {
  it('archives the streams their rules make due, and tombstoned streams at once', async () => {
    const prefix = `ret${Date.now()}-`;
    const idle = `${prefix}idle`;
    const ended = `${prefix}ended`;
    const busy = `${prefix}busy`;
    const closed = `${prefix.replace('ret', 'other')}closed`;
    await fixture.append(idle, happened(3));
    await fixture.append(ended, [
      ...happened(2),
      { type: 'Opened', data: { owner: 'x' } },
      ...happened(1),
    ]);
    await fixture.append(busy, happened(3));
    await fixture.append(closed, happened(3));
    const closing = await fixture.archivedStore().close(closed, 'merged into another account', {
      expectedVersion: 3,
    });
    await fixture.index(closing.events);
    await fixture.seal();
    const rules: RetentionRule[] = [
      { streamPrefix: `${prefix}idle`, inactiveDays: 30 },
      { streamPrefix: `${prefix}ended`, terminal: { events: ['Happened'], afterDays: 7 } },
      { streamPrefix: `${prefix}busy`, inactiveDays: 400 },
    ];
    const now = new Date(Date.now() + 31 * 24 * 60 * 60 * 1000);
    const run = await fixture.archiver({ rules, now }).run();
    const mine = run.streams.filter((s) => s.streamId.includes(String(prefix.slice(3))));
    expect(mine.map((s) => [s.streamId, s.reason, s.moved?.to]).sort()).toEqual(
      [
        [closed, 'tombstoned', 3],
        [ended, 'ended with Happened', 3],
        [idle, 'inactive for 30 days', 2],
      ].sort(),
    );
    // Archived as far as they go, they are passed by on the next run.
    const again = await fixture.archiver({ rules, now }).run();
    expect(again.streams.filter((s) => s.streamId.includes(prefix.slice(3)))).toEqual([]);
    await expect(
      fixture.archivedStore().append(closed, happened(1), { expectedVersion: 'any' }),
    ).rejects.toBeInstanceOf(StreamClosedError);
    expect((await fixture.archivedStore().read(closed)).map((e) => e.type)).toEqual([
      'Happened',
      'Happened',
      'Happened',
      'StreamClosed',
    ]);
  });
});

describe('erasure reaches the archive', () => {
  it("reads an erased subject's archived fields as their replacements, with no rewrite", async () => {
    const catalogue = EventCatalogue.of(
      {
        Opened: z.object({ owner: z.string(), name: z.string() }),
        Happened: z.object({ n: z.int() }),
      },
      {},
      { Opened: { subject: 'owner', fields: { name: '[erased]' } } },
    );
    const keys = new InMemorySubjectKeys();
    const { client, names } = fixture.tables;
    const store = () =>
      new EventStore({
        client,
        tableName: names.events,
        catalogue,
        personalData: new PersonalData(keys),
        archive: fixture.source,
      });
    const streamId = newStreamId();
    const appended = await store().append(
      streamId,
      [{ type: 'Opened', data: { owner: 'erin', name: 'Erin Quenby' } }, ...happened(2)],
      { expectedVersion: 'no_stream' },
    );
    await fixture.index(appended.events);
    await fixture.seal();
    await fixture.archiver().archiveStream(streamId);
    const segment = JSON.stringify(await fixture.archive.read({ streamId, from: 1, to: 2 }));
    expect(segment).not.toContain('Erin Quenby');
    expect((await store().read(streamId))[0]?.data).toEqual({ owner: 'erin', name: 'Erin Quenby' });
    keys.erase('erin');
    expect((await store().read(streamId))[0]?.data).toEqual({ owner: 'erin', name: '[erased]' });
    expect(JSON.stringify(await fixture.archive.read({ streamId, from: 1, to: 2 }))).toBe(segment);
    const findings = await fullFindings({
      ...fixture,
      verifier: () => verifierWithArchive(fixture),
    });
    expect(findings.filter((finding) => finding.includes(`@${streamId}/`))).toEqual([]);
  });
});

describe('the archive bucket', () => {
  it('takes no change to a segment: it is write-once', async () => {
    const streamId = newStreamId();
    await fixture.append(streamId, happened(3));
    await fixture.seal();
    await fixture.archiver().archiveStream(streamId);
    const [segment] = await fixture.archive.segments(streamId);
    await expect(
      fixture.s3.send(
        new DeleteObjectCommand({
          Bucket: fixture.archive.bucket,
          Key: `streams/${streamId}/${String(segment!.from).padStart(16, '0')}-${String(segment!.to).padStart(16, '0')}.jsonl.gz`,
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

async function verifierWithArchive(fixture: ArchiveFixture) {
  const { HistoryVerifier } = await import('../../functions/eventsourcing/integrity');
  return new HistoryVerifier({
    client: fixture.tables.client,
    tables: {
      events: fixture.tables.names.events,
      globalLog: fixture.tables.names.globalLog,
      seals: fixture.tables.names.seals,
    },
    checkpoints: fixture.checkpoints,
    publicKey: await fixture.signer.publicKeyPem(),
    log: 'test-history',
    archive: fixture.source,
  });
}

describe('the operator CLI', () => {
  const run = (args: string[]) =>
    runOperator(args, (io) => ({
      ...testEsContext(fixture.tables, io, {
        log: new GlobalLogReader({
          client: fixture.tables.client,
          tables: {
            globalLog: fixture.tables.names.globalLog,
            events: fixture.tables.names.events,
          },
          archive: fixture.source,
        }),
      }),
      store: fixture.archivedStore(),
      history: () =>
        historyTools(
          fixture.tables.client,
          {
            events: fixture.tables.names.events,
            globalLog: fixture.tables.names.globalLog,
            seals: fixture.tables.names.seals,
          },
          {
            checkpointsBucket: fixture.bucket,
            s3Endpoint: inject('s3Endpoint'),
            signingKey: '',
            log: 'test-history',
            archiveBucket: fixture.archive.bucket,
          },
        ),
    }));

  it('archives a stream on demand, then shows its tier and reads it whole', async () => {
    const streamId = `cli-${newStreamId()}`;
    await fixture.append(streamId, happened(3));
    await fixture.seal();
    expect((await run(['streams', '--prefix', streamId])).lines[0]).toMatch(/\thot\topen$/);
    expect(await run(['archive', '--stream', streamId])).toMatchObject({
      code: 0,
      lines: [`${streamId}\tversions 1–2 archived\tasked by an operator\t2 items removed`],
    });
    expect((await run(['streams', '--prefix', streamId])).lines[0]).toMatch(
      /\tarchived 1–2\topen$/,
    );
    const read = await run(['stream', streamId, '--json']);
    const { events } = JSON.parse(read.output) as { events: { version: number }[] };
    expect(events.map((event) => event.version)).toEqual([1, 2, 3]);
    expect(await run(['archive', '--stream', streamId])).toMatchObject({
      lines: [`${streamId}\tnothing new to archive\tasked by an operator`],
    });
    expect(await run(['close', streamId, '--reason', 'opened by mistake'])).toMatchObject({
      code: 0,
      lines: [`Closed ${streamId} at version 4`],
    });
    expect((await run(['streams', '--prefix', streamId])).lines[0]).toMatch(
      /\tarchived 1–2\tclosed$/,
    );
    expect((await run(['close', streamId, '--reason', 'again'])).code).not.toBe(0);
  });
});

describe('loads of an archived stream', () => {
  const sum: Decider<never, number, RecordedEvent> = {
    initialState: 0,
    decide: () => [],
    evolve: (state, event) => state + (event.data as { n: number }).n,
  };

  it('stay off S3 with a snapshot, and read the archive without one', async () => {
    const streamId = newStreamId();
    await fixture.append(streamId, happened(12));
    await fixture.seal();
    let archiveReads = 0;
    const counted = () => {
      archiveReads += 1;
      return fixture.source();
    };
    const { client, names } = fixture.tables;
    const store = new EventStore({
      client,
      tableName: names.events,
      catalogue: fixture.store().catalogue!,
      archive: counted,
    });
    const snapshots = new SnapshotStore(client, names.snapshots);
    const repository = new AggregateRepository(store, sum, {
      store: snapshots,
      strategy: everyNEvents(11),
      stateVersion: 1,
    });
    await repository.maybeSnapshot(await repository.load(streamId));
    await fixture.archiver().archiveStream(streamId);

    const withSnapshot = await repository.load(streamId);
    expect([withSnapshot.state, withSnapshot.version, archiveReads]).toEqual([78, 12, 0]);
    const withoutSnapshot = await new AggregateRepository(store, sum).load(streamId);
    expect([withoutSnapshot.state, withoutSnapshot.version]).toEqual([78, 12]);
    expect(archiveReads).toBeGreaterThan(0);
  });
});
