import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadOrCreateSecretFile } from '../integrity/local-key-file.js';
import { KmsLikeError } from '../integrity/signer.js';
import type { DataKey, DataKeyWrapper, KeyContext } from './key-wrapper.js';

/** The master key file's name in the directory the caller names. */
export const LOCAL_MASTER_KEY_FILE = 'personal-data-master.key';

/** Bytes of an AES-256 key, of a GCM initialisation vector and of its tag. */
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** An encryption context as bytes: its entries sorted, so their order never matters (as in KMS). */
const contextBytes = (context: KeyContext) =>
  Buffer.from(
    JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    'utf8',
  );

/**
 * Data keys wrapped by a local AES-256 master key kept in a file (created on first use, mode
 * 0600), for the local stack and tests. It behaves as KMS documents: a wrapped key only
 * unwraps under the same encryption context, and anything else is an
 * `InvalidCiphertextException`.
 */
export class LocalKeyWrapper implements DataKeyWrapper {
  private master: Promise<{ readonly key: Buffer; readonly keyId: string }> | undefined;

  /** The wrapper of the master key in `directory`, which it reads (or creates) on first use. */
  constructor(private readonly directory: string) {}

  /** The master key and its id: `local:` and a fingerprint of the key. */
  private masterKey() {
    this.master ??= loadOrCreateSecretFile(path.join(this.directory, LOCAL_MASTER_KEY_FILE), () =>
      Promise.resolve(randomBytes(KEY_BYTES).toString('base64')),
    ).then((text) => {
      const key = Buffer.from(text.trim(), 'base64');
      return { key, keyId: `local:${createHash('sha256').update(key).digest('hex').slice(0, 16)}` };
    });
    return this.master;
  }

  async generateDataKey(context: KeyContext): Promise<DataKey> {
    const master = await this.masterKey();
    const plaintext = randomBytes(KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', master.key, iv);
    cipher.setAAD(contextBytes(context));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const wrapped = Buffer.concat([iv, cipher.getAuthTag(), sealed]);
    return { plaintext, wrapped, keyId: master.keyId };
  }

  async unwrap(wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array> {
    const master = await this.masterKey();
    const blob = Buffer.from(wrapped);
    try {
      const decipher = createDecipheriv('aes-256-gcm', master.key, blob.subarray(0, IV_BYTES));
      decipher.setAAD(contextBytes(context));
      decipher.setAuthTag(blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(blob.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new KmsLikeError(
        'InvalidCiphertextException',
        'The ciphertext, its encryption context or its key does not match',
      );
    }
  }
}
