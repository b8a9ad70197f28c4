import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { HttpError } from './errors.js';

/** Largest request body the API accepts. */
export const MAX_BODY_BYTES = 256 * 1024;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/**
 * The JSON value of the request body, or `undefined` when there is none. Refuses bodies over
 * 256 KB (413), bodies that are not declared as JSON (415) and JSON that does not parse (400).
 */
export function parseJsonBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === '') return undefined;
  const bytes = event.isBase64Encoded
    ? Buffer.from(event.body, 'base64')
    : Buffer.from(event.body, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpError(
      413,
      'PayloadTooLarge',
      `The request body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES}`,
    );
  }
  if (bytes.length === 0) return undefined;
  const mediaType = (event.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      `The request body must be JSON with Content-Type: application/json (got ${mediaType ? `'${mediaType}'` : 'none'})`,
    );
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw new HttpError(
      400,
      'MalformedJson',
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

const IF_MATCH = /^(?:W\/)?"?(\d{1,15})"?$/;

/**
 * The stream version an `If-Match` header pins (`"3"`, `W/"3"` or `3`); `undefined` when the
 * header is absent or `*` (any current version).
 */
export function parseIfMatch(event: APIGatewayProxyEventV2): number | undefined {
  const header = event.headers['if-match']?.trim();
  if (header === undefined || header === '*') return undefined;
  const match = IF_MATCH.exec(header);
  if (!match) {
    throw new HttpError(
      400,
      'InvalidIfMatch',
      'If-Match must be the ETag of an earlier response, e.g. "3"',
      { fields: [{ in: 'header', field: 'if-match', message: 'must look like "3"' }] },
    );
  }
  return Number(match[1]);
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/** The `Idempotency-Key` header: 1 to 128 visible ASCII characters, or `undefined`. */
export function parseIdempotencyKey(event: APIGatewayProxyEventV2): string | undefined {
  const key = event.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(
      400,
      'InvalidIdempotencyKey',
      'Idempotency-Key must be 1 to 128 visible ASCII characters',
      {
        fields: [
          {
            in: 'header',
            field: 'idempotency-key',
            message: 'must be 1 to 128 visible ASCII characters',
          },
        ],
      },
    );
  }
  return key;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's `X-Correlation-Id` when it is 1 to 128 of `A-Z a-z 0-9 . _ : -`; otherwise (none,
 * too long, other characters) a new one, so nothing a client sends is stored unchecked.
 */
export function correlationIdOf(event: APIGatewayProxyEventV2): string {
  const header = event.headers['x-correlation-id'];
  return header !== undefined && CORRELATION_ID.test(header) ? header : ulid();
}
