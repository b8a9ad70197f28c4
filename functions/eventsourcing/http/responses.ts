import type { StoredAnswer } from './idempotency.js';

/** What a route returns; the adapter turns it into an API Gateway payload 2.0 result. */
export interface HttpResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export const ok = (body: unknown, headers?: Record<string, string>): HttpResponse => ({
  status: 200,
  body,
  ...(headers ? { headers } : {}),
});

/** `ETag` carrying a stream version, as `If-Match` expects it back. */
export const etag = (version: number): Record<string, string> => ({ etag: `"${version}"` });

/** The answer to a command: the stream's new version travels in the body and in `ETag`. */
export function commandResponse(
  status: 200 | 201,
  body: { readonly version: number } & Record<string, unknown>,
  headers: Record<string, string> = {},
): HttpResponse {
  return { status, body, headers: { ...etag(body.version), ...headers } };
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** A response as it is sent (and, for a command with an idempotency key, stored). */
export function toAnswer(response: HttpResponse): StoredAnswer {
  return {
    status: response.status,
    headers: { ...JSON_HEADERS, ...response.headers },
    // A trailing newline keeps terminals tidy for people calling the API with curl.
    body: response.body === undefined ? '' : `${JSON.stringify(response.body)}\n`,
  };
}
