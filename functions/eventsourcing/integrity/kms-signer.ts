import {
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
  type GetPublicKeyResponse,
} from '@aws-sdk/client-kms';
import { publicKeyPemFromDer } from './public-key.js';
import type { CheckpointSigner } from './signer.js';
import { UnexpectedResponseError } from '../errors.js';

/** Which KMS key signs, and through which client. */
export interface KmsSignerOptions {
  /** The key's ARN: checkpoints carry it as `keyId` (`connect` also accepts an alias or key id). */
  readonly keyId: string;
  /** A client of the key's region; one with the default configuration otherwise. */
  readonly client?: KMSClient;
}

/** `TypeError` unless GetPublicKey describes an ECC_NIST_P256 key that signs with ECDSA_SHA_256. */
function checkSigningKey(response: GetPublicKeyResponse, keyId: string): Uint8Array {
  const { KeySpec, KeyUsage, SigningAlgorithms = [], PublicKey } = response;
  const fits =
    KeySpec === 'ECC_NIST_P256' &&
    KeyUsage === 'SIGN_VERIFY' &&
    SigningAlgorithms.includes('ECDSA_SHA_256');
  if (!fits || PublicKey === undefined) {
    throw new TypeError(
      `KMS key '${keyId}' is ${KeySpec ?? 'of an unknown spec'} for ${KeyUsage ?? 'an unknown usage'}; ` +
        'checkpoints need an ECC_NIST_P256 key for SIGN_VERIFY with ECDSA_SHA_256',
    );
  }
  return PublicKey;
}

/**
 * Signs checkpoints with an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY): `Sign` with
 * `ECDSA_SHA_256` over the raw message, DER signatures. KMS's errors pass through unchanged
 * (`signingFailureOf` classifies them).
 */
export class KmsCheckpointSigner implements CheckpointSigner {
  readonly keyId: string;
  private readonly client: KMSClient;
  private publicKey: Promise<string> | undefined;

  constructor(options: KmsSignerOptions) {
    this.keyId = options.keyId;
    this.client = options.client ?? new KMSClient({});
  }

  /**
   * A signer whose `keyId` is the key ARN that KMS reports for `options.keyId` (which may be an
   * alias), after checking that the key can sign checkpoints.
   */
  static async connect(options: KmsSignerOptions): Promise<KmsCheckpointSigner> {
    const client = options.client ?? new KMSClient({});
    const response = await client.send(new GetPublicKeyCommand({ KeyId: options.keyId }));
    const signer = new KmsCheckpointSigner({ keyId: response.KeyId ?? options.keyId, client });
    signer.publicKey = Promise.resolve(
      publicKeyPemFromDer(checkSigningKey(response, options.keyId)),
    );
    return signer;
  }

  /** KMS `Sign` of `message` (message type RAW, ECDSA_SHA_256): the DER signature. */
  async sign(message: Uint8Array): Promise<Uint8Array> {
    const response = await this.client.send(
      new SignCommand({
        KeyId: this.keyId,
        Message: message,
        MessageType: 'RAW',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (response.Signature === undefined) {
      throw new UnexpectedResponseError('KMS', `KMS returned no signature for '${this.keyId}'`);
    }
    return response.Signature;
  }

  /** The key's public key as PEM, from KMS `GetPublicKey` (asked once). */
  publicKeyPem(): Promise<string> {
    this.publicKey ??= this.fetchPublicKey();
    return this.publicKey;
  }

  private async fetchPublicKey(): Promise<string> {
    try {
      const response = await this.client.send(new GetPublicKeyCommand({ KeyId: this.keyId }));
      return publicKeyPemFromDer(checkSigningKey(response, this.keyId));
    } catch (error) {
      this.publicKey = undefined;
      throw error;
    }
  }
}
