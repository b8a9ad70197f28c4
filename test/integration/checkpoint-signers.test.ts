import { execFile } from 'node:child_process';
import { verify } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointBytes } from '../../functions/eventsourcing/integrity/checkpoint';
import {
  verifyCheckpointSignature,
  type CheckpointBody,
} from '../../functions/eventsourcing/integrity';
import { KmsCheckpointSigner } from '../../functions/eventsourcing/integrity';
import { LOCAL_KEY_FILE } from '../../functions/eventsourcing/integrity/local-signer';
import { signCheckpoint } from '../../functions/eventsourcing/integrity';
import { signingFailureOf } from '../../functions/eventsourcing/integrity/signer';
import { startFakeKms, type FakeKms } from '../support/fake-kms';

let kms: FakeKms;
beforeAll(async () => {
  kms = await startFakeKms();
});
afterAll(async () => {
  await kms.close();
});

const body = (keyId: string): CheckpointBody => ({
  format: 'dynamo-event-sourcing/checkpoint/v1',
  log: 'EventSourcing-test',
  sequence: 1,
  firstPosition: 1,
  lastPosition: 250,
  root: 'ab'.repeat(32),
  previous: null,
  sealedAt: '2026-12-06T23:05:00.000Z',
  keyId,
});

describe('KMS checkpoint signer', () => {
  it('signs the raw checkpoint bytes with ECDSA_SHA_256 through the real SDK', async () => {
    const arn = kms.addKey();
    const signer = new KmsCheckpointSigner({ keyId: arn, client: kms.client() });
    expect(signer.keyId).toBe(arn);
    const stored = await signCheckpoint(signer, body(arn));

    const request = kms.requests.at(-1)!;
    expect(request.target).toBe('TrentService.Sign');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=signer\/\d{8}\/eu-west-1\/kms\/aws4_request/,
    );
    expect(request.body).toEqual({
      KeyId: arn,
      Message: checkpointBytes(body(arn)).toString('base64'),
      MessageType: 'RAW',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });

    const publicKeyPem = await signer.publicKeyPem();
    expect(kms.requests.at(-1)).toMatchObject({
      target: 'TrentService.GetPublicKey',
      body: { KeyId: arn },
    });
    expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(verifyCheckpointSignature(stored, publicKeyPem)).toBe(true);
    const signature = Buffer.from(stored.signature, 'base64');
    expect(
      verify(
        'sha256',
        checkpointBytes(body(arn)),
        { key: publicKeyPem, dsaEncoding: 'der' },
        signature,
      ),
    ).toBe(true);

    const asked = kms.requests.length;
    await signer.publicKeyPem();
    expect(kms.requests.length).toBe(asked); // the public key is asked once
  });

  it('connects through an alias and carries the key ARN', async () => {
    const arn = kms.addKey({ alias: 'checkpoints' });
    const signer = await KmsCheckpointSigner.connect({
      keyId: 'alias/checkpoints',
      client: kms.client(),
    });
    expect(signer.keyId).toBe(arn);
    const stored = await signCheckpoint(signer, body(arn));
    expect(verifyCheckpointSignature(stored, await signer.publicKeyPem())).toBe(true);
  });

  it('refuses a key that cannot sign checkpoints', async () => {
    const arn = kms.addKey({ spec: 'RSA_2048' });
    await expect(KmsCheckpointSigner.connect({ keyId: arn, client: kms.client() })).rejects.toThrow(
      /is RSA_2048 for SIGN_VERIFY; checkpoints need an ECC_NIST_P256 key/,
    );
  });

  it("passes KMS's errors through, classified as the local signer's are", async () => {
    const arn = kms.addKey();
    const signer = new KmsCheckpointSigner({ keyId: arn, client: kms.client() });
    const tooLong = await signer.sign(new Uint8Array(4097)).catch((error: unknown) => error);
    expect(tooLong).toMatchObject({ name: 'ValidationException' });
    expect(signingFailureOf(tooLong)).toBe('invalid-request');
    kms.disable(arn);
    const disabled = await signer.sign(new Uint8Array(10)).catch((error: unknown) => error);
    expect(disabled).toMatchObject({ name: 'DisabledException' });
    expect(signingFailureOf(disabled)).toBe('key-unusable');
    const missing = new KmsCheckpointSigner({ keyId: 'alias/none', client: kms.client() });
    const notFound = await missing.publicKeyPem().catch((error: unknown) => error);
    expect(signingFailureOf(notFound)).toBe('key-unusable');
  });
});

describe('local checkpoint signer', () => {
  it('creates one key when several processes use it for the first time together', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'local-signer-processes-'));
    const script =
      "const { LocalCheckpointSigner } = await import('./functions/eventsourcing/integrity/local-signer.ts');" +
      'console.log((await LocalCheckpointSigner.open({ directory: process.argv[1] })).keyId);';
    const run = promisify(execFile);
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () =>
        run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, directory]),
      ),
    );
    const keyIds = outputs.map(({ stdout }) => stdout.trim());
    expect(keyIds[0]).toMatch(/^local:[0-9a-f]{16}$/);
    expect(new Set(keyIds).size).toBe(1);
    expect(readdirSync(directory)).toEqual([LOCAL_KEY_FILE]);
  });
});
