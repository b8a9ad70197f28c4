import {
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';

/**
 * A stand-in for KMS's JSON protocol (`X-Amz-Target: TrentService.<Operation>`), enough for
 * checkpoint signing: `Sign` (RAW, ECDSA_SHA_256) and `GetPublicKey` of P-256 keys it holds,
 * with KMS's validation and error shapes. It signs with real keys, so what the SDK sends and
 * decodes is exercised end to end.
 */
export interface FakeKms {
  readonly endpoint: string;
  /** Every request: its target operation, headers and JSON body. */
  readonly requests: FakeKmsRequest[];
  /** A key the fake holds: its ARN; `alias/<alias>` also names it. */
  addKey(options?: { alias?: string; spec?: 'ECC_NIST_P256' | 'RSA_2048' }): string;
  /** Marks a key disabled: Sign then fails with DisabledException, as in KMS. */
  disable(arn: string): void;
  /** A real KMS client of the fake (static credentials, region eu-west-1). */
  client(): KMSClient;
  close(): Promise<void>;
}

export interface FakeKmsRequest {
  readonly target: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

interface Key {
  readonly arn: string;
  readonly spec: string;
  readonly privateKey: KeyObject;
  enabled: boolean;
}

class KmsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_MESSAGE = 4096;

export async function startFakeKms(): Promise<FakeKms> {
  const keys = new Map<string, Key>();
  const requests: FakeKmsRequest[] = [];

  const keyOf = (keyId: unknown): Key => {
    const key = keys.get(String(keyId));
    if (!key) throw new KmsFault('NotFoundException', `Key '${String(keyId)}' does not exist`);
    return key;
  };

  const operations: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    GetPublicKey: (body) => {
      const key = keyOf(body.KeyId);
      const der = createPublicKey(key.privateKey).export({ format: 'der', type: 'spki' });
      return {
        KeyId: key.arn,
        PublicKey: der.toString('base64'),
        KeySpec: key.spec,
        CustomerMasterKeySpec: key.spec,
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms:
          key.spec === 'ECC_NIST_P256' ? ['ECDSA_SHA_256'] : ['RSASSA_PKCS1_V1_5_SHA_256'],
      };
    },
    Sign: (body) => {
      const message = Buffer.from(typeof body.Message === 'string' ? body.Message : '', 'base64');
      if (message.length < 1 || message.length > MAX_MESSAGE) {
        throw new KmsFault(
          'ValidationException',
          "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096",
        );
      }
      const key = keyOf(body.KeyId);
      if (!key.enabled) throw new KmsFault('DisabledException', `${key.arn} is disabled.`);
      if (body.SigningAlgorithm !== 'ECDSA_SHA_256' || key.spec !== 'ECC_NIST_P256') {
        throw new KmsFault('InvalidKeyUsageException', 'The signing algorithm is not supported');
      }
      if (body.MessageType !== 'RAW') throw new KmsFault('ValidationException', 'Expected RAW');
      const signature = sign('sha256', message, { key: key.privateKey, dsaEncoding: 'der' });
      return {
        KeyId: key.arn,
        Signature: signature.toString('base64'),
        SigningAlgorithm: 'ECDSA_SHA_256',
      };
    },
  };

  const answer = (request: IncomingMessage, response: ServerResponse, text: string) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const body = JSON.parse(text || '{}') as Record<string, unknown>;
    requests.push({ target, headers: request.headers, body });
    const operation = operations[target.replace(/^TrentService\./, '')];
    try {
      if (!operation) throw new KmsFault('UnknownOperationException', target);
      const result = operation(body);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(result));
    } catch (error) {
      if (!(error instanceof KmsFault)) throw error;
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: error.type, message: error.message }));
    }
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    requests,
    addKey({ alias, spec = 'ECC_NIST_P256' } = {}) {
      const arn = `arn:aws:kms:eu-west-1:111122223333:key/${randomUUID()}`;
      const { privateKey } =
        spec === 'ECC_NIST_P256'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('rsa', { modulusLength: 2048 });
      const key: Key = { arn, spec, privateKey, enabled: true };
      keys.set(arn, key);
      if (alias) keys.set(`alias/${alias}`, key);
      return arn;
    },
    disable(arn) {
      keyOf(arn).enabled = false;
    },
    client: () =>
      new KMSClient({
        endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'signer', secretAccessKey: 'secret' },
        maxAttempts: 1,
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
