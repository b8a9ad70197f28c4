import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZERO_HASH, toHex } from '../../functions/eventsourcing/integrity/encoding';
import { buildProof, type ProofStep } from '../../functions/eventsourcing/integrity/proof';
import { verifyProof } from '../../functions/eventsourcing/integrity';
import { PROVED_EVENT, proofFixture, type ProofFixture } from '../support/proof-fixture';

let fixture: ProofFixture;
beforeAll(async () => {
  fixture = await proofFixture();
});

/** The proof's JSON with one byte changed: verified as a reader of the file would. */
function verifyBytes(bytes: Buffer, publicKeyPem: string) {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false as const, step: 'json' as const };
  }
  return verifyProof(json, publicKeyPem);
}

describe('event proofs', () => {
  it('verify with the public key alone, in the documented shape', () => {
    const { proof, publicKeyPem } = fixture;
    expect(Object.keys(proof)).toEqual(['format', 'event', 'position', 'inclusion', 'checkpoint']);
    expect(proof.inclusion).toMatchObject({ leafIndex: 106, treeSize: 250 });
    expect(proof.inclusion.auditPath).toHaveLength(8);
    expect(proof.event).toMatchObject({
      ...PROVED_EVENT,
      previousHash: fixture.input.previousHash,
    });
    expect(verifyProof(JSON.parse(JSON.stringify(proof)), publicKeyPem)).toEqual({
      ok: true,
      proof,
    });
  });

  it('fail for every single changed byte of the serialized proof, naming the step', () => {
    const { proof, publicKeyPem } = fixture;
    const bytes = Buffer.from(JSON.stringify(proof), 'utf8');
    const steps = new Map<ProofStep | 'json', number>();
    const passed: string[] = [];
    for (let i = 0; i < bytes.length; i++) {
      for (const mask of [0x01, 0x20]) {
        const changed = Buffer.from(bytes);
        changed[i]! ^= mask;
        const result = verifyBytes(changed, publicKeyPem);
        if (result.ok)
          passed.push(`byte ${i} ^ ${mask}: …${bytes.subarray(i - 20, i + 20).toString()}…`);
        else steps.set(result.step, (steps.get(result.step) ?? 0) + 1);
      }
    }
    expect(passed).toEqual([]);
    // Each step catches some of them: the proof is read strictly and every step is reached.
    expect([...steps.keys()].sort()).toEqual([
      'event-hash',
      'format',
      'json',
      'leaf',
      'root',
      'signature',
    ]);
  });

  it('fail with a key other than the signing key, or a key that is not P-256', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifyProof(fixture.proof, other)).toMatchObject({ ok: false, step: 'signature' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const result = verifyProof(fixture.proof, rsa);
    expect(result).toMatchObject({ ok: false, step: 'signature' });
    expect(!result.ok && result.reason).toMatch(
      /^step 4 \(signature\): A checkpoint key is an EC key on P-256/,
    );
  });

  it('prove the first event of a stream, without metadata', async () => {
    const first = await proofFixture({
      event: { ...PROVED_EVENT, version: 1, meta: undefined },
      firstOfStream: true,
    });
    expect(first.proof.event).toMatchObject({ version: 1, meta: null, previousHash: null });
    expect(verifyProof(first.proof, first.publicKeyPem).ok).toBe(true);
    // The chain starts from 32 zero bytes: written out, they are another previous hash.
    const zeros = {
      ...first.proof,
      event: { ...first.proof.event, previousHash: toHex(ZERO_HASH) },
    };
    expect(verifyProof(zeros, first.publicKeyPem).ok).toBe(true);
    const meta = { ...first.proof, event: { ...first.proof.event, meta: '' } };
    expect(verifyProof(meta, first.publicKeyPem)).toMatchObject({ ok: false, step: 'event-hash' });
  });

  it('are refused when their pieces do not agree', () => {
    const { input } = fixture;
    const attempts: [ProofStep, object][] = [
      ['event-hash', { event: { ...input.event, data: '{}' } }],
      ['event-hash', { previousHash: toHex(ZERO_HASH) }],
      ['root', { position: 1308 }],
      ['root', { leafHashes: input.leafHashes.toReversed() }],
      ['leaf', { position: 1451 }],
      ['leaf', { leafHashes: input.leafHashes.slice(1) }],
    ];
    for (const [step, change] of attempts) {
      expect(() => buildProof({ ...input, ...change }), step).toThrow(
        expect.objectContaining({ name: 'ProofError', step }),
      );
    }
  });

  it('name what is malformed', () => {
    const { proof, publicKeyPem } = fixture;
    const cases: [string, unknown][] = [
      ['the proof', 'proof'],
      ['event.meta', { ...proof, event: { ...proof.event, meta: undefined } }],
      ['event.hash', { ...proof, event: { ...proof.event, hash: 'AB'.repeat(32) } }],
      ['inclusion.auditPath.0', { ...proof, inclusion: { ...proof.inclusion, auditPath: [''] } }],
      ['the proof: Unrecognized key: "extra"', { ...proof, extra: 1 }],
      [
        'Not a stored checkpoint: checkpoint.root',
        {
          ...proof,
          checkpoint: {
            ...proof.checkpoint,
            checkpoint: { ...proof.checkpoint.checkpoint, root: '' },
          },
        },
      ],
    ];
    for (const [what, json] of cases) {
      const result = verifyProof(json, publicKeyPem);
      expect(result).toMatchObject({ ok: false, step: 'format' });
      expect(!result.ok && result.reason, what).toContain(`the proof is malformed: ${what}`);
    }
  });
});
