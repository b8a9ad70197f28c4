import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  LocalCheckpointSigner,
  checkpointKey,
  parseStoredCheckpoint,
  signCheckpoint,
  storedCheckpointJson,
  verifyProof,
} from '../../functions/eventsourcing/integrity';
import {
  createHistoryFixture,
  eventKey,
  fullFindings,
  happened,
  type HistoryFixture,
} from '../support/history';

type Item = Record<string, AttributeValue>;

let history: HistoryFixture;

/** Three streams, sealed in two checkpoints. */
async function sealedHistory(fixture: HistoryFixture): Promise<void> {
  await fixture.append('a', happened(5));
  await fixture.append('b', happened(3));
  await fixture.sealer().seal();
  await fixture.append('c', happened(4));
  await fixture.append('a', happened(2, 6));
  await fixture.sealer().seal();
}

async function storedItem(streamId: string, version: number): Promise<Item> {
  const { Item } = await history.tables.client.send(
    new GetItemCommand({
      TableName: history.tables.names.events,
      Key: eventKey(streamId, version),
    }),
  );
  return Item!;
}

const putRaw = (item: Item) =>
  history.tables.client.send(
    new PutItemCommand({ TableName: history.tables.names.events, Item: item }),
  );

const deleteRaw = (streamId: string, version: number) =>
  history.tables.client.send(
    new DeleteItemCommand({
      TableName: history.tables.names.events,
      Key: eventKey(streamId, version),
    }),
  );

const findings = () => fullFindings(history);

describe('verifiable history', () => {
  beforeEach(async () => {
    history = await createHistoryFixture();
    await sealedHistory(history);
  });

  it('verifies an untampered store clean, and goes on from where it stopped', async () => {
    const verifier = await history.verifier();
    const first = await verifier.verify();
    expect(first.findings).toEqual([]);
    expect(first.checkpoints).toEqual({ from: 1, checked: 2, latest: 2 });
    expect(first.positions).toBe(14);
    await history.append('b', happened(2, 4));
    await history.sealer().seal();
    const next = await verifier.verify();
    expect(next.findings).toEqual([]);
    expect(next.checkpoints).toEqual({ from: 3, checked: 1, latest: 3 });
    expect(next.positions).toBe(2);
    expect((await verifier.verify({ full: true })).checkpoints.checked).toBe(3);
  });

  it("finds an event's data edited in place", async () => {
    const item = await storedItem('a', 3);
    await putRaw({ ...item, data: { S: '{"n":1000}' } });
    expect(await findings()).toEqual(['event-changed@a/3', 'hash-mismatch@a/3']);
    const verifier = await history.verifier();
    const stream = await verifier.verifyStream('a');
    expect(stream.findings.map((f) => `${f.kind}@${f.version}`).sort()).toEqual([
      'event-changed@3',
      'hash-mismatch@3',
    ]);
    expect(stream).toMatchObject({ events: 7, checkpoints: [1, 2] });
    expect((await verifier.verifyStream('b')).findings).toEqual([]);
  });

  it('finds an event deleted from the middle of a stream', async () => {
    await deleteRaw('a', 2);
    expect(await findings()).toEqual(['event-missing@a/2', 'version-gap@a/2']);
  });

  it('finds the tail of a stream deleted', async () => {
    await deleteRaw('c', 4);
    await deleteRaw('c', 3);
    expect(await findings()).toEqual(['event-missing@c/3', 'event-missing@c/4']);
  });

  it("finds two events' contents swapped", async () => {
    const [second, third] = [await storedItem('b', 2), await storedItem('b', 3)];
    await putRaw({ ...second, data: third.data!, eventId: third.eventId! });
    await putRaw({ ...third, data: second.data!, eventId: second.eventId! });
    expect(await findings()).toEqual([
      'event-changed@b/2',
      'event-changed@b/3',
      'hash-mismatch@b/2',
      'hash-mismatch@b/3',
    ]);
  });

  it('finds a stream deleted and rewritten through the event store: only the checkpoints can tell', async () => {
    // Whoever can delete items deletes the stream's head too, or the store refuses the rewrite.
    for (let version = 0; version <= 7; version++) await deleteRaw('a', version);
    await history.store().append('a', happened(7, 100), { expectedVersion: 'no_stream' });
    const changed = [1, 2, 3, 4, 5, 6, 7].map((version) => `event-changed@a/${version}`);
    expect(await findings()).toEqual(changed.sort());
    const stream = await (await history.verifier()).verifyStream('a');
    expect(stream.findings.map((f) => `${f.kind}@a/${f.version}`).sort()).toEqual(changed.sort());
  });

  it('finds a page of the global log edited', async () => {
    const table = history.tables.names.globalLog;
    const { Items = [] } = await history.tables.client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'page#0' } },
      }),
    );
    const page = Items[0]!;
    const entries = page.entries!.L!;
    const first = entries[0]!.M!;
    entries[0] = { M: { ...first, v: { N: '2' } } };
    await history.tables.client.send(new PutItemCommand({ TableName: table, Item: page }));
    const found = await findings();
    expect(found).toContain('log-root-mismatch#1');
    expect(found).toContain('event-changed@a/2');
  });

  it('finds a checkpoint replaced with one signed by another key', async () => {
    const replaced = await createHistoryFixture({ writeOnce: false });
    await sealedHistory(replaced);
    history = replaced;
    const original = parseStoredCheckpoint(await replaced.checkpoints.read(1));
    const intruder = await LocalCheckpointSigner.open({
      directory: mkdtempSync(path.join(tmpdir(), 'intruder-')),
    });
    const forged = await signCheckpoint(intruder, {
      ...original.checkpoint,
      keyId: intruder.keyId,
    });
    await replaced.s3.send(
      new PutObjectCommand({
        Bucket: replaced.bucket,
        Key: checkpointKey(1),
        Body: storedCheckpointJson(forged),
      }),
    );
    // Its body names another key, so the next checkpoint no longer links to it either.
    expect(await findings()).toEqual(['checkpoint-link#2', 'checkpoint-signature#1']);
  });

  it('keeps checkpoints write-once: no overwrite, no delete, a second writer learns it lost', async () => {
    const stored = parseStoredCheckpoint(await history.checkpoints.read(1));
    await expect(history.checkpoints.create(stored)).resolves.toBe('exists');
    const key = checkpointKey(1);
    await expect(
      history.s3.send(new PutObjectCommand({ Bucket: history.bucket, Key: key, Body: '{}' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(
      history.s3.send(new DeleteObjectCommand({ Bucket: history.bucket, Key: key })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(parseStoredCheckpoint(await history.checkpoints.read(1))).toEqual(stored);
    expect(await findings()).toEqual([]);
  });

  it('proves an event offline with the public key, and the proof fails after any change', async () => {
    const answer = await history.proofs().proof('c', 2);
    expect(answer.status).toBe('proof');
    if (answer.status !== 'proof') return;
    const publicKey = await history.signer.publicKeyPem();
    expect(verifyProof(answer.proof, publicKey).ok).toBe(true);
    expect(answer.proof.checkpoint.checkpoint.sequence).toBe(2);
    const edited = { ...answer.proof, event: { ...answer.proof.event, data: '{"n":3}' } };
    expect(verifyProof(edited, publicKey)).toMatchObject({ ok: false, step: 'event-hash' });
    expect(await history.proofs().proof('c', 9)).toEqual({ status: 'not-found' });
    await history.append('c', happened(1, 5));
    expect(await history.proofs().proof('c', 5)).toMatchObject({ status: 'not-sealed' });
  });
});
