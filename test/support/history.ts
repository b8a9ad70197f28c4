import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import {
  CheckpointSealer,
  EventProofs,
  HistoryVerifier,
  LocalCheckpointSigner,
  S3CheckpointStore,
  type Finding,
} from '../../functions/eventsourcing/integrity';
import { EventStore, type NewEvent, type RecordedEvent } from '../../functions/eventsourcing';
import { GlobalLogIndexer } from '../../functions/eventsourcing/global-log';
import { createS3Client } from '../../functions/eventsourcing/aws';
import { createTestTables, type TestTables } from './dynamodb';
import { storeTestEvents } from './test-events';

/** The log name test checkpoints carry. */
export const TEST_LOG = 'test-history';

export interface HistoryFixture {
  readonly tables: TestTables;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly checkpoints: S3CheckpointStore;
  readonly signer: LocalCheckpointSigner;
  /** A new event store on the fixture's events table, as another process would open one. */
  store(): EventStore;
  /** Appends events to a stream and gives them their positions in the global log. */
  append(streamId: string, events: readonly NewEvent[]): Promise<RecordedEvent[]>;
  /** Gives events their positions in the global log, as the indexer consumer does. */
  index(events: readonly RecordedEvent[]): Promise<void>;
  sealer(): CheckpointSealer;
  verifier(): Promise<HistoryVerifier>;
  proofs(): EventProofs;
}

const happened = (count: number, from = 1): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({ type: 'Happened', data: { n: from + i } }));

/** `count` events of type `Happened`, numbered from `from`. */
export { happened };

/**
 * Fresh tables, a fresh bucket on the run's local S3 server (with Object Lock, the write-once
 * checkpoint bucket, unless `writeOnce` is false) and a local signing key: the whole of
 * verifiable history, driven step by step by the test.
 */
export async function createHistoryFixture(
  options: { writeOnce?: boolean } = {},
): Promise<HistoryFixture> {
  const tables = await createTestTables();
  const s3 = createS3Client({ endpoint: inject('s3Endpoint') });
  const bucket = `history-${randomUUID().slice(0, 8)}`;
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ObjectLockEnabledForBucket: options.writeOnce ?? true,
    }),
  );
  const checkpoints = new S3CheckpointStore(s3, bucket);
  const signer = await LocalCheckpointSigner.open({
    directory: mkdtempSync(path.join(tmpdir(), 'history-key-')),
  });
  const historyTables = {
    events: tables.names.events,
    globalLog: tables.names.globalLog,
    seals: tables.names.seals,
  };
  const indexer = new GlobalLogIndexer({
    client: tables.client,
    tables: { events: tables.names.events, globalLog: tables.names.globalLog },
  });
  const store = () =>
    new EventStore({
      client: tables.client,
      tableName: tables.names.events,
      catalogue: storeTestEvents,
    });
  const index = async (events: readonly RecordedEvent[]) => {
    const { failed } = await indexer.index(events);
    const [error] = failed.values();
    if (error) throw error;
  };
  return {
    tables,
    s3,
    bucket,
    checkpoints,
    signer,
    store,
    index,
    async append(streamId, events) {
      const appended = await store().append(streamId, events, { expectedVersion: 'any' });
      await index(appended.events);
      return [...appended.events];
    },
    sealer: () =>
      new CheckpointSealer({
        client: tables.client,
        tables: historyTables,
        checkpoints,
        signer,
        log: TEST_LOG,
      }),
    verifier: async () =>
      new HistoryVerifier({
        client: tables.client,
        tables: historyTables,
        checkpoints,
        publicKey: await signer.publicKeyPem(),
        log: TEST_LOG,
      }),
    proofs: () => new EventProofs({ client: tables.client, tables: historyTables, checkpoints }),
  };
}

/** The key of an event item. */
export const eventKey = (streamId: string, version: number) => ({
  streamId: { S: streamId },
  version: { N: String(version) },
});

const label = (finding: Finding) =>
  finding.streamId !== undefined
    ? `${finding.kind}@${finding.streamId}/${finding.version}`
    : `${finding.kind}#${finding.checkpoint}`;

/** What a full verification finds, as `kind@stream/version` (or `kind#checkpoint`), sorted. */
export async function fullFindings(fixture: HistoryFixture): Promise<string[]> {
  const report = await (await fixture.verifier()).verify({ full: true });
  return report.findings.map(label).sort();
}
