import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { loadOrCreatePrivateKeyPem } from './local-key-file.js';
import { checkpointPublicKey, localKeyId } from './public-key.js';
import { KmsLikeError, MAX_RAW_MESSAGE_BYTES, type CheckpointSigner } from './signer.js';

/** The key file's name in the directory the caller names. */
export const LOCAL_KEY_FILE = 'checkpoint-key.pem';

/** Where a local signer keeps its key. */
export interface LocalSignerOptions {
  /** The directory of the key file (created if needed), e.g. `.data/signing`. */
  readonly directory: string;
  /** The key file's name; `checkpoint-key.pem` by default. */
  readonly fileName?: string;
}

/**
 * Signs checkpoints with a P-256 key kept in a PEM file, for the local stack and tests. It
 * behaves as a KMS `ECDSA_SHA_256` key does with message type `RAW`: DER signatures, and a
 * `ValidationException` for a message that is empty or over 4096 bytes.
 */
export class LocalCheckpointSigner implements CheckpointSigner {
  /** `local:` and the first 16 hex digits of the SHA-256 of the public key's DER. */
  readonly keyId: string;
  private readonly publicKey: KeyObject;

  private constructor(
    private readonly privateKey: KeyObject,
    /** The key file's path. */
    readonly file: string,
  ) {
    this.publicKey = checkpointPublicKey(privateKey);
    this.keyId = localKeyId(this.publicKey);
  }

  /** The signer of the key in `directory`, creating the key on first use (see `LocalSignerOptions`). */
  static async open(options: LocalSignerOptions): Promise<LocalCheckpointSigner> {
    const file = path.join(options.directory, options.fileName ?? LOCAL_KEY_FILE);
    const privateKey = createPrivateKey(await loadOrCreatePrivateKeyPem(file));
    return new LocalCheckpointSigner(privateKey, file);
  }

  /** The DER ECDSA P-256 SHA-256 signature of `message`; `ValidationException` as KMS would. */
  sign(message: Uint8Array): Promise<Uint8Array> {
    if (message.length < 1 || message.length > MAX_RAW_MESSAGE_BYTES) {
      const error = new KmsLikeError(
        'ValidationException',
        `1 validation error detected: Value at 'message' failed to satisfy constraint: ` +
          `Member must have length between 1 and ${MAX_RAW_MESSAGE_BYTES} (it has ${message.length} bytes)`,
      );
      return Promise.reject(error);
    }
    const signature = sign('sha256', message, { key: this.privateKey, dsaEncoding: 'der' });
    return Promise.resolve(new Uint8Array(signature));
  }

  /** The public key (PEM, SubjectPublicKeyInfo). */
  publicKeyPem(): Promise<string> {
    return Promise.resolve(this.publicKey.export({ format: 'pem', type: 'spki' }).toString());
  }
}
