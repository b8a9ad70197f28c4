import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { S3Refusal, accessDenied } from './errors';

/** The parts of an HTTP request a signature covers. */
export interface SignedRequest {
  readonly method: string;
  /** Path and query exactly as sent. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** How far a request's time may be from the server's, as in S3. */
const MAX_SKEW_MS = 15 * 60 * 1000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/([^/,\s]+),\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

const malformed = (message: string) => new S3Refusal('AuthorizationHeaderMalformed', 400, message);

/** RFC 3986 encoding of everything but unreserved characters, as SigV4 canonicalizes. */
const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );

const decode = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** The path with each segment encoded once (S3 does not normalize or double-encode it). */
const canonicalUri = (path: string) =>
  path
    .split('/')
    .map((segment) => uriEncode(decode(segment)))
    .join('/');

const canonicalQuery = (query: string) =>
  query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [name = '', ...value] = pair.split('=');
      return [uriEncode(decode(name)), uriEncode(decode(value.join('=')))] as const;
    })
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');

const headerValue = (value: string | string[] | undefined) =>
  [value ?? '']
    .flat()
    .map((part) => part.trim().replace(/\s+/g, ' '))
    .join(',');

/** The header authenticating a request, parsed; anonymous requests are refused like AWS does. */
function parseAuthorization(header: string | string[] | undefined) {
  if (header === undefined) throw accessDenied();
  const match = AUTHORIZATION.exec(headerValue(header));
  if (!match) {
    throw malformed(
      'The authorization header is malformed; it must be AWS4-HMAC-SHA256 with Credential, SignedHeaders and Signature.',
    );
  }
  const [, accessKeyId, date, region, service, terminator, signedHeaders, signature] = match;
  return {
    accessKeyId: accessKeyId!,
    scope: { date: date!, region: region!, service: service!, terminator: terminator! },
    signedHeaders: signedHeaders!.split(';'),
    signature: signature!,
  };
}

/** The request's `x-amz-date`, checked against the clock and the credential's scope. */
function requestTime(request: SignedRequest, scopeDate: string, now: Date): string {
  const amzDate = headerValue(request.headers['x-amz-date']);
  const parts = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!parts) {
    throw new S3Refusal(
      'AccessDenied',
      403,
      'AWS authentication requires a valid Date or x-amz-date header',
    );
  }
  const [, year, month, day, hour, minute, second] = parts.map(Number);
  const time = Date.UTC(year!, month! - 1, day, hour, minute, second);
  if (Math.abs(now.getTime() - time) > MAX_SKEW_MS) {
    throw new S3Refusal(
      'RequestTimeTooSkewed',
      403,
      'The difference between the request time and the current time is too large.',
    );
  }
  if (amzDate.slice(0, 8) !== scopeDate) {
    throw malformed('The authorization header is malformed; the credential date does not match.');
  }
  return amzDate;
}

function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[]): string {
  const [path = '/', query = ''] = request.url.split(/\?(.*)/s);
  const payloadHash = headerValue(request.headers['x-amz-content-sha256']);
  if (payloadHash === '') {
    throw new S3Refusal(
      'InvalidRequest',
      400,
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  return [
    request.method,
    canonicalUri(path),
    canonicalQuery(query),
    ...signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}`),
    '',
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

const hmac = (key: string | Buffer, data: string) =>
  createHmac('sha256', key).update(data).digest();

/**
 * Verifies a request signed with AWS Signature Version 4 in its `Authorization` header, as S3
 * does: the key, the time (15 minutes of skew at most), the credential scope and the signature
 * over the canonical request, whose payload hash is the `x-amz-content-sha256` header (the
 * payload itself is checked against it elsewhere). Throws the refusal S3 would answer.
 */
export function verifySignature(request: SignedRequest, credentials: Credentials, now: Date): void {
  const authorization = parseAuthorization(request.headers.authorization);
  if (authorization.accessKeyId !== credentials.accessKeyId) {
    throw new S3Refusal(
      'InvalidAccessKeyId',
      403,
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  const { scope } = authorization;
  const amzDate = requestTime(request, scope.date, now);
  if (scope.service !== 's3' || scope.terminator !== 'aws4_request') {
    throw malformed('The authorization header is malformed; the credential scope is not s3.');
  }
  const canonical = canonicalRequest(request, authorization.signedHeaders);
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    [scope.date, scope.region, scope.service, scope.terminator].join('/'),
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const key = [scope.date, scope.region, scope.service, scope.terminator].reduce<string | Buffer>(
    hmac,
    `AWS4${credentials.secretAccessKey}`,
  );
  const expected = hmac(key, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(authorization.signature, 'hex'))) {
    throw new S3Refusal(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { StringToSign: stringToSign, CanonicalRequest: canonical },
    );
  }
}
