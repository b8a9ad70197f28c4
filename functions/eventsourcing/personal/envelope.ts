import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What a personal value is replaced by wherever it is stored: the value, encrypted. */
export interface SealedValue {
  readonly $sealed: {
    /** Format of the envelope. */
    readonly v: 1;
    /** The data subject whose key encrypts it. */
    readonly s: string;
    /** Where it was sealed (`<streamId>#<version>#<field path>`), authenticated with it. */
    readonly c: string;
    /** Initialisation vector, authentication tag and ciphertext of the JSON value, base64. */
    readonly iv: string;
    readonly tag: string;
    readonly ct: string;
    /** What readers get once the subject is erased (the declared replacement). */
    readonly r: unknown;
  };
}

const AAD_DOMAIN = 'dynamo-event-sourcing/sealed/v1';

/** The additional data AES-GCM authenticates: the envelope's subject and context. */
const additionalData = (subject: string, context: string) =>
  Buffer.from(`${AAD_DOMAIN}\n${subject}\n${context}`, 'utf8');

export const isSealedValue = (value: unknown): value is SealedValue =>
  typeof value === 'object' &&
  value !== null &&
  '$sealed' in value &&
  typeof (value as SealedValue).$sealed === 'object' &&
  (value as SealedValue).$sealed?.v === 1;

/** Encrypts `value` (any JSON value) with AES-256-GCM under the subject's data key. */
export function seal(
  key: Uint8Array,
  value: unknown,
  where: { readonly subject: string; readonly context: string; readonly replacement: unknown },
): SealedValue {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additionalData(where.subject, where.context));
  const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return {
    $sealed: {
      v: 1,
      s: where.subject,
      c: where.context,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ct: ct.toString('base64'),
      r: where.replacement,
    },
  };
}

/** The value a sealed envelope holds; throws when the key or the envelope does not match. */
export function open(key: Uint8Array, sealed: SealedValue): unknown {
  const { s, c, iv, tag, ct } = sealed.$sealed;
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAAD(additionalData(s, c));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  const plaintext = Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]);
  return JSON.parse(plaintext.toString('utf8')) as unknown;
}
