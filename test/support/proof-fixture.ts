import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CheckpointBody } from '../../functions/eventsourcing/integrity';
import { toHex } from '../../functions/eventsourcing/integrity/encoding';
import { eventHash, type StoredEventFields } from '../../functions/eventsourcing/integrity';
import { leafBytes } from '../../functions/eventsourcing/integrity/leaf';
import { LocalCheckpointSigner } from '../../functions/eventsourcing/integrity';
import { leafHash, merkleRoot } from '../../functions/eventsourcing/integrity/merkle';
import { buildProof, type BuildProofInput } from '../../functions/eventsourcing/integrity/proof';
import type { EventProof } from '../../functions/eventsourcing/integrity';
import { signCheckpoint } from '../../functions/eventsourcing/integrity';

/** A signed checkpoint over positions 1201..1450 of random events, and one event in it to prove. */
export interface ProofFixture {
  readonly signer: LocalCheckpointSigner;
  readonly publicKeyPem: string;
  /** What `buildProof` was given (the event at position 1307). */
  readonly input: BuildProofInput;
  readonly proof: EventProof;
}

const randomHash = () => randomBytes(32).toString('hex');

export const PROVED_EVENT: StoredEventFields = {
  streamId: 'account-Zoë-42',
  version: 3,
  eventId: '01JEQ8Z5N1W6K3X9T2B4C7D8E0',
  type: 'MoneyDeposited',
  schemaVersion: 2,
  recordedAt: '2026-12-06T22:59:58.123Z',
  data: '{"amount":"12.50","note":"café ☕ \\"quoted\\""}',
  meta: '{"actor":"user-1","correlationId":"c-9","causationId":"c-9"}',
};

/** What to prove: the default event, or another; `firstOfStream` for no previous hash. */
export interface ProofFixtureOptions {
  readonly event?: StoredEventFields;
  readonly firstOfStream?: boolean;
}

/** Builds the fixture, signing with a new local key in a temporary directory. */
export async function proofFixture(options: ProofFixtureOptions = {}): Promise<ProofFixture> {
  const { event = PROVED_EVENT, firstOfStream = false } = options;
  const signer = await LocalCheckpointSigner.open({
    directory: mkdtempSync(path.join(tmpdir(), 'proof-')),
  });
  const [firstPosition, lastPosition, position] = [1201, 1450, 1307];
  const previousHash = firstOfStream ? undefined : randomHash();
  const hash = eventHash(event, previousHash);
  const leafHashes: Buffer[] = [];
  for (let p = firstPosition; p <= lastPosition; p++) {
    const leaf =
      p === position
        ? { position, streamId: event.streamId, version: event.version, hash }
        : {
            position: p,
            streamId: `stream-${p % 17}`,
            version: p,
            hash: p % 5 ? randomHash() : undefined,
          };
    leafHashes.push(leafHash(leafBytes(leaf)));
  }
  const body: CheckpointBody = {
    format: 'dynamo-event-sourcing/checkpoint/v1',
    log: 'EventSourcing-test',
    sequence: 7,
    firstPosition,
    lastPosition,
    root: toHex(merkleRoot(leafHashes)),
    previous: randomHash(),
    sealedAt: '2026-12-06T23:05:00.000Z',
    keyId: signer.keyId,
  };
  const checkpoint = await signCheckpoint(signer, body);
  const input: BuildProofInput = { event, previousHash, hash, position, leafHashes, checkpoint };
  return { signer, publicKeyPem: await signer.publicKeyPem(), input, proof: buildProof(input) };
}
