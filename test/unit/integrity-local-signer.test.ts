import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_KEY_FILE } from '../../functions/eventsourcing/integrity/local-signer';
import { LocalCheckpointSigner } from '../../functions/eventsourcing/integrity';
import { localKeyId } from '../../functions/eventsourcing/integrity/public-key';
import { KmsLikeError, signingFailureOf } from '../../functions/eventsourcing/integrity/signer';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'local-signer-'));

describe('local checkpoint signer', () => {
  it('creates a private key file on first use and signs with it (DER, P-256, SHA-256)', async () => {
    const directory = path.join(scratch(), 'signing');
    const signer = await LocalCheckpointSigner.open({ directory });
    const file = path.join(directory, LOCAL_KEY_FILE);
    expect(signer.file).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    const publicKeyPem = await signer.publicKeyPem();
    expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(signer.keyId).toMatch(/^local:[0-9a-f]{16}$/);
    expect(signer.keyId).toBe(localKeyId(publicKeyPem));

    const message = Buffer.from('{"format":"dynamo-event-sourcing/checkpoint/v1"}');
    const signature = await signer.sign(message);
    expect(signature[0]).toBe(0x30); // a DER SEQUENCE of r and s
    const key = { key: publicKeyPem, dsaEncoding: 'der' as const };
    expect(verify('sha256', message, key, signature)).toBe(true);
    expect(verify('sha256', Buffer.from('another message'), key, signature)).toBe(false);
  });

  it('reuses the key of its directory', async () => {
    const directory = scratch();
    const first = await LocalCheckpointSigner.open({ directory });
    const pem = readFileSync(first.file, 'utf8');
    const second = await LocalCheckpointSigner.open({ directory });
    expect(second.keyId).toBe(first.keyId);
    expect(readFileSync(second.file, 'utf8')).toBe(pem);
    const signature = await second.sign(Buffer.from('m'));
    expect(
      verify(
        'sha256',
        Buffer.from('m'),
        { key: await first.publicKeyPem(), dsaEncoding: 'der' },
        signature,
      ),
    ).toBe(true);
  });

  it('creates one key when many open it at once', async () => {
    const directory = scratch();
    const signers = await Promise.all(
      Array.from({ length: 12 }, () => LocalCheckpointSigner.open({ directory })),
    );
    expect(new Set(signers.map((signer) => signer.keyId)).size).toBe(1);
    expect(readdirSync(directory)).toEqual([LOCAL_KEY_FILE]);
  });

  it('refuses a message KMS would refuse, with the error KMS gives', async () => {
    const signer = await LocalCheckpointSigner.open({ directory: scratch() });
    await expect(signer.sign(new Uint8Array(4096))).resolves.toBeInstanceOf(Uint8Array);
    for (const size of [4097, 0]) {
      const refused = await signer.sign(new Uint8Array(size)).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(KmsLikeError);
      expect(refused).toMatchObject({ name: 'ValidationException' });
      expect(signingFailureOf(refused)).toBe('invalid-request');
    }
  });

  it('refuses a key file that does not hold a P-256 private key', async () => {
    const directory = scratch();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    writeFileSync(path.join(directory, 'rsa.pem'), rsa.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(path.join(directory, 'garbage.pem'), 'not a key');
    await expect(LocalCheckpointSigner.open({ directory, fileName: 'rsa.pem' })).rejects.toThrow(
      /EC key on P-256/,
    );
    await expect(
      LocalCheckpointSigner.open({ directory, fileName: 'garbage.pem' }),
    ).rejects.toThrow();
  });
});

describe('signing failures', () => {
  it('are classified by their KMS error name, whichever signer raised them', () => {
    const named = (name: string) => Object.assign(new Error('x'), { name });
    expect(signingFailureOf(new KmsLikeError('ValidationException', 'too long'))).toBe(
      'invalid-request',
    );
    expect(signingFailureOf(named('DisabledException'))).toBe('key-unusable');
    expect(signingFailureOf(named('KMSInvalidStateException'))).toBe('key-unusable');
    expect(signingFailureOf(named('ThrottlingException'))).toBe('retryable');
    expect(signingFailureOf(named('KMSInternalException'))).toBe('retryable');
    expect(signingFailureOf(named('toString'))).toBe('unknown');
    expect(signingFailureOf(new TypeError('x'))).toBe('unknown');
    expect(signingFailureOf('ValidationException')).toBe('unknown');
  });
});
