import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyChecksums } from './checksums';
import { S3Refusal, errorDocument } from './errors';
import { KeyedQueue } from './keyed-queue';
import type { ObjectLockedBuckets } from './object-lock';
import { payloadOf } from './payload';
import { verifySignature, type Credentials } from './signature-v4';
import type { Upstream } from './upstream';
import { operationOf, writeRefusal, type Operation } from './write-rules';

export interface GatewayOptions {
  readonly upstream: Upstream;
  readonly lockedBuckets: ObjectLockedBuckets;
  /** The only key pair requests may be signed with. */
  readonly credentials: Credentials;
}

/** One request, read whole and authenticated. */
interface Exchange {
  readonly incoming: { method: string; url: string; headers: IncomingMessage['headers'] };
  readonly payload: Buffer;
  readonly response: ServerResponse;
}

const OBJECT_LOCK_ENABLED =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>';

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function answer(response: ServerResponse, status: number, xml?: string): void {
  response.writeHead(status, xml === undefined ? {} : { 'content-type': 'application/xml' });
  response.end(xml);
}

function refuse(exchange: Exchange, refusal: S3Refusal): void {
  const { method, url } = exchange.incoming;
  const document = errorDocument(refusal, new URL(url, 'http://local').pathname);
  // A HEAD answer has no body: the SDK names its error after the status alone.
  answer(exchange.response, refusal.status, method === 'HEAD' ? undefined : document);
}

const noSuchBucket = () =>
  new S3Refusal('NoSuchBucket', 404, 'The specified bucket does not exist');

/**
 * The front of the local S3 server: checks what S3 checks and the storage server (s3rver) does
 * not (or not as the current SDK needs): the SigV4 signature, the payload's hash, aws-chunked
 * bodies with their trailers, flexible checksums, conditional creates and write-once buckets,
 * and answers Object Lock itself. What passes goes on to the storage server decoded.
 *
 * s3rver's own checks cannot be configured to accept the current SDK: it rebuilds the signed
 * path from its route parameters, losing the trailing slash of `GET /<bucket>/?list-type=2`
 * (every ListObjectsV2 fails with SignatureDoesNotMatch) and encoding query values other than
 * SigV4 does; it refuses `STREAMING-UNSIGNED-PAYLOAD-TRAILER`, what the SDK sends for a
 * streaming body with a checksum; and it verifies neither payload hashes nor checksums. So it
 * gets requests checked here, without their signature (it takes them as anonymous).
 */
export class S3Gateway {
  private readonly writes = new KeyedQueue();

  constructor(private readonly options: GatewayOptions) {}

  /** A `node:http` request listener. */
  readonly listener = (request: IncomingMessage, response: ServerResponse): void => {
    this.handle(request, response).catch((error: unknown) => {
      console.error('Local S3 server:', error);
      if (!response.headersSent) {
        answer(response, 500, errorDocument(internalError(), request.url ?? '/'));
      } else response.destroy();
    });
  };

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const incoming = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: request.headers,
    };
    try {
      verifySignature(incoming, this.options.credentials, new Date());
      const { payload, trailers } = payloadOf(request.headers, body);
      verifyChecksums({ ...headerFields(request.headers), ...trailers }, payload);
      const operation = operationOf(incoming.method, new URL(incoming.url, 'http://local'));
      await this.perform(operation, { incoming, payload, response });
    } catch (error) {
      if (!(error instanceof S3Refusal)) throw error;
      refuse({ incoming, payload: body, response }, error);
    }
  }

  private async perform(operation: Operation, exchange: Exchange): Promise<void> {
    switch (operation.kind) {
      case 'createBucket':
        return this.createBucket(operation.bucket, exchange);
      case 'getObjectLock':
        return this.objectLockConfiguration(operation.bucket, exchange);
      case 'putObjectLock':
        return this.writes.run(operation.bucket, () => this.lockBucket(operation.bucket, exchange));
      case 'create':
      case 'multipartStep':
      case 'delete':
      case 'lockSetting':
        return this.writes.run(`${operation.bucket}/${operation.key}`, () =>
          this.write(operation, exchange),
        );
      case 'other':
        return this.options.upstream.forward(
          exchange.incoming,
          exchange.payload,
          exchange.response,
        );
    }
  }

  private async write(
    operation: Extract<Operation, { key: string }>,
    exchange: Exchange,
  ): Promise<void> {
    const { upstream, lockedBuckets } = this.options;
    const ifNoneMatch = exchange.incoming.headers['if-none-match'];
    const refusal = await writeRefusal({
      operation,
      locked: lockedBuckets.has(operation.bucket),
      ifNoneMatch,
      exists: async () => (await upstream.status('HEAD', objectPath(operation))) === 200,
    });
    if (refusal) throw refusal;
    await upstream.forward(exchange.incoming, exchange.payload, exchange.response);
  }

  private async bucketExists(bucket: string): Promise<boolean> {
    return (await this.options.upstream.status('HEAD', `/${encodeURIComponent(bucket)}`)) === 200;
  }

  /** CreateBucket, with Object Lock when `x-amz-bucket-object-lock-enabled: true`. */
  private async createBucket(bucket: string, exchange: Exchange): Promise<void> {
    if (await this.bucketExists(bucket)) {
      throw new S3Refusal(
        'BucketAlreadyOwnedByYou',
        409,
        'Your previous request to create the named bucket succeeded and you already own it.',
        { BucketName: bucket },
      );
    }
    const locked = exchange.incoming.headers['x-amz-bucket-object-lock-enabled'] === 'true';
    await this.options.upstream.forward(exchange.incoming, exchange.payload, exchange.response);
    if (exchange.response.statusCode === 200) await this.options.lockedBuckets.set(bucket, locked);
  }

  private async objectLockConfiguration(bucket: string, exchange: Exchange): Promise<void> {
    if (!(await this.bucketExists(bucket))) throw noSuchBucket();
    if (!this.options.lockedBuckets.has(bucket)) {
      throw new S3Refusal(
        'ObjectLockConfigurationNotFoundError',
        404,
        'Object Lock configuration does not exist for this bucket',
        { BucketName: bucket },
      );
    }
    answer(exchange.response, 200, OBJECT_LOCK_ENABLED);
  }

  /** PutObjectLockConfiguration: turns Object Lock on for good (retention is not kept). */
  private async lockBucket(bucket: string, exchange: Exchange): Promise<void> {
    if (!(await this.bucketExists(bucket))) throw noSuchBucket();
    if (
      !/<ObjectLockEnabled>\s*Enabled\s*<\/ObjectLockEnabled>/.test(exchange.payload.toString())
    ) {
      throw new S3Refusal(
        'MalformedXML',
        400,
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    }
    const refusal = await writeRefusal({
      operation: { kind: 'putObjectLock', bucket },
      locked: this.options.lockedBuckets.has(bucket),
      ifNoneMatch: undefined,
      exists: () => Promise.resolve(true),
    });
    if (refusal) throw refusal;
    await this.options.lockedBuckets.set(bucket, true);
    answer(exchange.response, 200);
  }
}

const internalError = () =>
  new S3Refusal('InternalError', 500, 'We encountered an internal error. Please try again.');

const objectPath = ({ bucket, key }: { bucket: string; key: string }) =>
  `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;

/** Single-valued headers by name, as checksums are read from headers or trailers alike. */
const headerFields = (headers: IncomingMessage['headers']): Record<string, string | undefined> =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(',') : value,
    ]),
  );
