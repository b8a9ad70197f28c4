import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { decodeAwsChunked, type ChunkedPayload } from './aws-chunked';
import { S3Refusal, incompleteBody, notImplemented } from './errors';

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
};

/** A streaming upload: aws-chunked, unsigned chunks, the checksum in a trailer. */
function streamedPayload(headers: IncomingHttpHeaders, body: Buffer): ChunkedPayload {
  const decoded = decodeAwsChunked(body);
  if (String(decoded.payload.length) !== header(headers, 'x-amz-decoded-content-length')) {
    throw incompleteBody();
  }
  const announced = header(headers, 'x-amz-trailer')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (announced.some((name) => decoded.trailers[name] === undefined)) throw incompleteBody();
  return decoded;
}

/**
 * The payload of a request as S3 reads it, by its `x-amz-content-sha256`: a SHA-256 it must
 * match (`XAmzContentSHA256Mismatch`), `UNSIGNED-PAYLOAD`, or an aws-chunked stream whose
 * trailer carries the checksum, which is what the SDK sends for a streaming body. Signed chunks
 * (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD…`) are refused: the SDK does not send them.
 */
export function payloadOf(headers: IncomingHttpHeaders, body: Buffer): ChunkedPayload {
  const declared = header(headers, 'x-amz-content-sha256');
  if (/^[0-9a-fA-F]{64}$/.test(declared)) {
    if (createHash('sha256').update(body).digest('hex') !== declared.toLowerCase()) {
      throw new S3Refusal(
        'XAmzContentSHA256Mismatch',
        400,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    return { payload: body, trailers: {} };
  }
  if (declared === 'UNSIGNED-PAYLOAD') return { payload: body, trailers: {} };
  if (declared === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') return streamedPayload(headers, body);
  if (declared.startsWith('STREAMING-')) {
    throw notImplemented(`The local S3 server does not take ${declared} bodies`);
  }
  throw new S3Refusal(
    'InvalidArgument',
    400,
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, or a valid sha256 value.',
  );
}
