import { UnexpectedResponseError } from '../errors.js';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';

/** The encryption context a data key is wrapped under: the subject it belongs to. */
export type KeyContext = Readonly<Record<string, string>>;

/** A new data key: in clear for use now, wrapped for storage, and the master key that wrapped it. */
export interface DataKey {
  readonly plaintext: Uint8Array;
  readonly wrapped: Uint8Array;
  /** The master key: a KMS key ARN, or `local:` and a fingerprint. */
  readonly keyId: string;
}

/**
 * Wraps data keys under one master key, as KMS's `GenerateDataKey` and `Decrypt` do: the master
 * key never leaves KMS in AWS; locally it is a key file (`LocalKeyWrapper`) behaving as KMS
 * documents, with the same errors.
 */
export interface DataKeyWrapper {
  generateDataKey(context: KeyContext): Promise<DataKey>;
  /** The data key in clear; KMS's `InvalidCiphertextException` when blob or context differ. */
  unwrap(wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array>;
}

/** Data keys from a symmetric KMS key (`ENCRYPT_DECRYPT`, `SYMMETRIC_DEFAULT`). */
export class KmsKeyWrapper implements DataKeyWrapper {
  constructor(
    private readonly client: KMSClient,
    readonly keyId: string,
  ) {}

  async generateDataKey(context: KeyContext): Promise<DataKey> {
    const { Plaintext, CiphertextBlob, KeyId } = await this.client.send(
      new GenerateDataKeyCommand({
        KeyId: this.keyId,
        KeySpec: 'AES_256',
        EncryptionContext: context,
      }),
    );
    if (!Plaintext || !CiphertextBlob) {
      throw new UnexpectedResponseError('KMS', 'GenerateDataKey returned no data key');
    }
    return { plaintext: Plaintext, wrapped: CiphertextBlob, keyId: KeyId ?? this.keyId };
  }

  async unwrap(wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array> {
    const { Plaintext } = await this.client.send(
      new DecryptCommand({
        KeyId: this.keyId,
        CiphertextBlob: wrapped,
        EncryptionContext: context,
      }),
    );
    if (!Plaintext) throw new UnexpectedResponseError('KMS', 'Decrypt returned no plaintext');
    return Plaintext;
  }
}
