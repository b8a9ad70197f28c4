import { createPublicKey, type KeyObject } from 'node:crypto';
import { sha256, toHex } from './encoding.js';

/** Node's name for the curve P-256 (secp256r1), the only curve checkpoints are signed on. */
const P256 = 'prime256v1';

/**
 * The public key that checks checkpoint signatures, from a PEM (SubjectPublicKeyInfo, or a
 * private key whose public half is taken) or a key object. `TypeError` unless it is an EC key on
 * P-256, so a key of another kind can never pass for the checkpoint key.
 */
export function checkpointPublicKey(key: string | KeyObject): KeyObject {
  const publicKey = typeof key === 'string' || key.type === 'private' ? createPublicKey(key) : key;
  const curve = publicKey.asymmetricKeyDetails?.namedCurve;
  if (publicKey.asymmetricKeyType !== 'ec' || curve !== P256) {
    const kind = `${publicKey.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}`;
    throw new TypeError(`A checkpoint key is an EC key on P-256; this one is ${kind}`);
  }
  return publicKey;
}

/** The PEM of a public key given as DER SubjectPublicKeyInfo (what KMS `GetPublicKey` returns). */
export function publicKeyPemFromDer(der: Uint8Array): string {
  const key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  return checkpointPublicKey(key).export({ format: 'pem', type: 'spki' }).toString();
}

/**
 * The key id of a local signing key: `local:` and the first 16 hex digits of the SHA-256 of its
 * public key's DER SubjectPublicKeyInfo (docs/integrity.md, section 4).
 */
export function localKeyId(publicKey: string | KeyObject): string {
  const der = checkpointPublicKey(publicKey).export({ format: 'der', type: 'spki' });
  return `local:${toHex(sha256(der)).slice(0, 16)}`;
}
