import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeAwsChunked } from '../../local/s3/aws-chunked';
import { checksumOf, verifyChecksums } from '../../local/s3/checksums';
import { S3Refusal } from '../../local/s3/errors';
import { payloadOf } from '../../local/s3/payload';
import { verifySignature, type SignedRequest } from '../../local/s3/signature-v4';

const refusalOf = (action: () => unknown) => {
  try {
    action();
  } catch (error) {
    if (error instanceof S3Refusal) return { code: error.code, status: error.status };
    throw error;
  }
  throw new Error('not refused');
};

describe('flexible checksums', () => {
  const check = Buffer.from('123456789');

  it('match the published check values of each algorithm', () => {
    const hex = (base64: string) => Buffer.from(base64, 'base64').toString('hex');
    expect(hex(checksumOf('crc32', check))).toBe('cbf43926');
    expect(hex(checksumOf('crc32c', check))).toBe('e3069283');
    expect(hex(checksumOf('crc64nvme', check))).toBe('ae8b14860a799888');
    expect(checksumOf('sha256', check)).toBe(createHash('sha256').update(check).digest('base64'));
    expect(checksumOf('crc32', Buffer.alloc(0))).toBe('AAAAAA==');
  });

  it('pass a request whose checksum fits, and refuse one that does not (BadDigest)', () => {
    const crc32 = checksumOf('crc32', check);
    expect(() => verifyChecksums({ 'x-amz-checksum-crc32': crc32 }, check)).not.toThrow();
    expect(
      refusalOf(() => verifyChecksums({ 'x-amz-checksum-crc32': crc32 }, Buffer.from('12345678'))),
    ).toEqual({ code: 'BadDigest', status: 400 });
  });

  it('refuse a request naming an algorithm without its checksum', () => {
    expect(
      refusalOf(() => verifyChecksums({ 'x-amz-sdk-checksum-algorithm': 'CRC64NVME' }, check)),
    ).toEqual({ code: 'InvalidRequest', status: 400 });
  });
});

describe('aws-chunked bodies', () => {
  const body = (...parts: string[]) => Buffer.from(parts.join(''), 'latin1');

  it('decode to the chunks joined, with their trailers', () => {
    const decoded = decodeAwsChunked(
      body('5\r\nhello\r\n', '6\r\n world\r\n', '0\r\n', 'x-amz-checksum-crc32:abc=\r\n', '\r\n'),
    );
    expect(decoded.payload.toString()).toBe('hello world');
    expect(decoded.trailers).toEqual({ 'x-amz-checksum-crc32': 'abc=' });
  });

  it.each([
    ['a chunk shorter than its size', body('5\r\nhell\r\n0\r\n\r\n')],
    ['no last chunk', body('5\r\nhello\r\n')],
    ['a size that is not hexadecimal', body('5z\r\nhello\r\n0\r\n\r\n')],
    ['a signed chunk header', body('5;chunk-signature=ab\r\nhello\r\n0\r\n\r\n')],
    ['bytes after the trailers', body('0\r\n\r\nmore')],
  ])('refuse %s as IncompleteBody', (_case, broken) => {
    expect(refusalOf(() => decodeAwsChunked(broken))).toEqual({
      code: 'IncompleteBody',
      status: 400,
    });
  });

  it('must hold as many bytes as x-amz-decoded-content-length, and every announced trailer', () => {
    const headers = {
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': '5',
      'x-amz-trailer': 'x-amz-checksum-crc32',
    };
    const framed = body('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:abc=\r\n\r\n');
    expect(payloadOf(headers, framed).payload.toString()).toBe('hello');
    expect(
      refusalOf(() => payloadOf({ ...headers, 'x-amz-decoded-content-length': '6' }, framed)),
    ).toMatchObject({ code: 'IncompleteBody' });
    expect(refusalOf(() => payloadOf(headers, body('5\r\nhello\r\n0\r\n\r\n')))).toMatchObject({
      code: 'IncompleteBody',
    });
  });
});

describe('payload hashes', () => {
  const hello = Buffer.from('hello');
  const sha256 = createHash('sha256').update(hello).digest('hex');

  it('take a body matching its x-amz-content-sha256, or an unsigned one', () => {
    expect(payloadOf({ 'x-amz-content-sha256': sha256 }, hello).payload).toEqual(hello);
    expect(payloadOf({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, hello).payload).toEqual(hello);
  });

  it('refuse a body that does not match, and signed chunks', () => {
    expect(
      refusalOf(() => payloadOf({ 'x-amz-content-sha256': sha256 }, Buffer.from('hellO'))),
    ).toEqual({ code: 'XAmzContentSHA256Mismatch', status: 400 });
    expect(
      refusalOf(() =>
        payloadOf({ 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }, hello),
      ),
    ).toEqual({ code: 'NotImplemented', status: 501 });
  });
});

/** The examples of Signature Version 4 for S3 in the Amazon S3 API Reference. */
describe('SigV4 signatures', () => {
  const credentials = {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };
  const now = new Date('2013-05-24T00:05:00Z');
  const emptySha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  const authorization = (signedHeaders: string, signature: string) =>
    `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${signature}`;
  const getObject: SignedRequest = {
    method: 'GET',
    url: '/test.txt',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      range: 'bytes=0-9',
      'x-amz-content-sha256': emptySha256,
      'x-amz-date': '20130524T000000Z',
      authorization: authorization(
        'host;range;x-amz-content-sha256;x-amz-date',
        'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      ),
    },
  };
  const listObjects: SignedRequest = {
    method: 'GET',
    url: '/?max-keys=2&prefix=J',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      'x-amz-content-sha256': emptySha256,
      'x-amz-date': '20130524T000000Z',
      authorization: authorization(
        'host;x-amz-content-sha256;x-amz-date',
        '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
      ),
    },
  };

  it('verify the published examples', () => {
    expect(() => verifySignature(getObject, credentials, now)).not.toThrow();
    expect(() => verifySignature(listObjects, credentials, now)).not.toThrow();
  });

  it('refuse a request changed after signing', () => {
    const changed = { ...getObject, headers: { ...getObject.headers, range: 'bytes=0-10' } };
    expect(refusalOf(() => verifySignature(changed, credentials, now))).toEqual({
      code: 'SignatureDoesNotMatch',
      status: 403,
    });
    expect(
      refusalOf(() =>
        verifySignature({ ...listObjects, url: '/?max-keys=3&prefix=J' }, credentials, now),
      ),
    ).toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('refuse another key, an old request and an anonymous one', () => {
    const otherKey = { ...credentials, accessKeyId: 'AKIDEXAMPLE' };
    expect(refusalOf(() => verifySignature(getObject, otherKey, now))).toEqual({
      code: 'InvalidAccessKeyId',
      status: 403,
    });
    expect(
      refusalOf(() => verifySignature(getObject, credentials, new Date('2013-05-24T00:16:00Z'))),
    ).toEqual({ code: 'RequestTimeTooSkewed', status: 403 });
    const anonymous = { ...getObject.headers, authorization: undefined };
    expect(
      refusalOf(() => verifySignature({ ...getObject, headers: anonymous }, credentials, now)),
    ).toEqual({ code: 'AccessDenied', status: 403 });
  });
});
