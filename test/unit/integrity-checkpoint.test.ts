import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidCheckpointError,
  checkpointBytes,
  checkpointHash,
} from '../../functions/eventsourcing/integrity/checkpoint';
import {
  checkpointKey,
  parseStoredCheckpoint,
  storedCheckpointJson,
  verifyCheckpointSignature,
  type CheckpointBody,
  type StoredCheckpoint,
} from '../../functions/eventsourcing/integrity';
import { LocalCheckpointSigner } from '../../functions/eventsourcing/integrity';
import { signCheckpoint } from '../../functions/eventsourcing/integrity';

const body = (keyId: string): CheckpointBody => ({
  format: 'dynamo-event-sourcing/checkpoint/v1',
  log: 'EventSourcing-dev',
  sequence: 7,
  firstPosition: 1201,
  lastPosition: 1450,
  root: 'ab'.repeat(32),
  previous: 'cd'.repeat(32),
  sealedAt: '2026-12-06T23:05:00.000Z',
  keyId,
});

/** A stored checkpoint as parsed JSON, open to any change. */
interface StoredJson {
  checkpoint: Record<string, unknown>;
  signature: string;
  [member: string]: unknown;
}

/** A parsed JSON copy of a stored checkpoint with `change` applied to it. */
function changed(stored: StoredCheckpoint, change: (json: StoredJson) => void): unknown {
  const json = JSON.parse(storedCheckpointJson(stored)) as StoredJson;
  change(json);
  return json;
}

describe('checkpoints', () => {
  let signer: LocalCheckpointSigner;
  let stored: StoredCheckpoint;
  let publicKeyPem: string;

  beforeAll(async () => {
    signer = await LocalCheckpointSigner.open({
      directory: mkdtempSync(path.join(tmpdir(), 'checkpoint-')),
    });
    stored = await signCheckpoint(signer, body(signer.keyId));
    publicKeyPem = await signer.publicKeyPem();
  });

  it('are signed and hashed over their members in the documented order, without whitespace', () => {
    const text =
      '{"format":"dynamo-event-sourcing/checkpoint/v1","log":"EventSourcing-dev","sequence":7,' +
      '"firstPosition":1201,"lastPosition":1450,"root":"' +
      'ab'.repeat(32) +
      '","previous":"' +
      'cd'.repeat(32) +
      '","sealedAt":"2026-12-06T23:05:00.000Z","keyId":"arn:aws:kms:eu-west-1:1:key/k"}';
    const reordered = Object.fromEntries(
      Object.entries(body('arn:aws:kms:eu-west-1:1:key/k')).reverse(),
    );
    const extra = { ...reordered, note: 'not signed' } as unknown as CheckpointBody;
    expect(checkpointBytes(extra).toString('utf8')).toBe(text);
    expect(checkpointHash(extra)).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('are stored at a twelve-digit key', () => {
    expect(checkpointKey(7)).toBe('checkpoints/000000000007.json');
    expect(checkpointKey(999_999_999_999)).toBe('checkpoints/999999999999.json');
    for (const sequence of [0, -1, 1.5, 1e12])
      expect(() => checkpointKey(sequence)).toThrow(RangeError);
  });

  it('verify with the signing key only, and only for the body that was signed', () => {
    expect(verifyCheckpointSignature(stored, publicKeyPem)).toBe(true);
    const parsed = parseStoredCheckpoint(JSON.parse(storedCheckpointJson(stored)));
    expect(parsed).toEqual(stored);
    expect(verifyCheckpointSignature(parsed, publicKeyPem)).toBe(true);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifyCheckpointSignature(stored, other)).toBe(false);
    const moved = { ...stored, checkpoint: { ...stored.checkpoint, lastPosition: 1451 } };
    expect(verifyCheckpointSignature(moved, publicKeyPem)).toBe(false);
  });

  it('refuse keys other than P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    expect(() => verifyCheckpointSignature(stored, rsa)).toThrow(
      /EC key on P-256; this one is rsa/,
    );
    expect(() => verifyCheckpointSignature(stored, p384)).toThrow(/secp384r1/);
  });

  it('name the member that is wrong when read', () => {
    const cases: [string, (json: StoredJson) => void][] = [
      ['checkpoint.root', (json) => (json.checkpoint.root = 'AB'.repeat(32))],
      ['checkpoint.root', (json) => (json.checkpoint.root = 'ab'.repeat(31))],
      ['checkpoint.format', (json) => (json.checkpoint.format = 'other/v1')],
      ['checkpoint.sequence', (json) => (json.checkpoint.sequence = 0)],
      ['checkpoint.sequence', (json) => (json.checkpoint.sequence = '7')],
      ['checkpoint.firstPosition', (json) => delete json.checkpoint.firstPosition],
      ['checkpoint.lastPosition', (json) => (json.checkpoint.lastPosition = 1200)],
      ['checkpoint.previous', (json) => (json.checkpoint.previous = null)],
      ['checkpoint.sealedAt', (json) => (json.checkpoint.sealedAt = '2026-12-06T23:05:00Z')],
      ['checkpoint.sealedAt', (json) => (json.checkpoint.sealedAt = '2026-13-06T23:05:00.000Z')],
      ['checkpoint.keyId', (json) => (json.checkpoint.keyId = '')],
      ['checkpoint', (json) => (json.checkpoint.extra = 1)],
      ['', (json) => (json.unsigned = true)],
      ['signatureAlgorithm', (json) => (json.signatureAlgorithm = 'ECDSA_SHA_384')],
      ['signature', (json) => (json.signature = `${json.signature}=`)],
      ['signature', (json) => (json.signature = `${json.signature.slice(0, -1)}!`)],
      ['signature', (json) => (json.signature = '')],
    ];
    for (const [member, change] of cases) {
      const attempt = () => parseStoredCheckpoint(changed(stored, change));
      expect(attempt, member).toThrow(InvalidCheckpointError);
      expect(() => attempt(), member).toThrow(expect.objectContaining({ path: member }));
    }
    expect(() => parseStoredCheckpoint('{}')).toThrow(InvalidCheckpointError);
  });

  it('relate the first checkpoint to the start of the log', () => {
    const first = (change: Partial<CheckpointBody>) =>
      changed(stored, (json) => {
        Object.assign(json.checkpoint, { sequence: 1, firstPosition: 1, previous: null }, change);
      });
    expect(parseStoredCheckpoint(first({})).checkpoint.sequence).toBe(1);
    expect(() => parseStoredCheckpoint(first({ previous: 'cd'.repeat(32) }))).toThrow(
      /previous is null/,
    );
    expect(() => parseStoredCheckpoint(first({ firstPosition: 2 }))).toThrow(
      /starts at position 1/,
    );
  });

  it('are signed only with the key they name', async () => {
    await expect(signCheckpoint(signer, body('local:0000000000000000'))).rejects.toThrow(
      RangeError,
    );
  });
});
