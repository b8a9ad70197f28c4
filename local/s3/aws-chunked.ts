import { incompleteBody } from './errors';

const CRLF = Buffer.from('\r\n');

export interface ChunkedPayload {
  readonly payload: Buffer;
  /** The trailing headers after the last chunk (`x-amz-checksum-crc32`, …), by lowercase name. */
  readonly trailers: Readonly<Record<string, string>>;
}

/** The line starting at `start`, without its CRLF, and where the next one starts. */
function lineAt(body: Buffer, start: number): { line: string; next: number } {
  const end = body.indexOf(CRLF, start);
  if (end < 0) throw incompleteBody();
  return { line: body.toString('latin1', start, end), next: end + CRLF.length };
}

/** `name:value` lines up to the empty line that ends the body. */
function readTrailers(body: Buffer, start: number): Record<string, string> {
  const trailers: Record<string, string> = {};
  let position = start;
  for (;;) {
    const { line, next } = lineAt(body, position);
    if (line === '') {
      if (next !== body.length) throw incompleteBody();
      return trailers;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw incompleteBody();
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    position = next;
  }
}

/**
 * Decodes an `aws-chunked` body (`Content-Encoding: aws-chunked`): chunks of `<hex size>\r\n
 * <bytes>\r\n`, a last chunk of size 0, then trailing headers and an empty line. This is what
 * the SDK sends for a streaming upload with `x-amz-content-sha256:
 * STREAMING-UNSIGNED-PAYLOAD-TRAILER`, its checksum in the trailer. A body that ends early or
 * breaks the framing is `IncompleteBody`, as S3 answers.
 */
export function decodeAwsChunked(body: Buffer): ChunkedPayload {
  const chunks: Buffer[] = [];
  let position = 0;
  for (;;) {
    const { line, next } = lineAt(body, position);
    const size = /^[0-9a-fA-F]+$/.test(line) ? parseInt(line, 16) : NaN;
    if (!Number.isSafeInteger(size)) throw incompleteBody();
    if (size === 0) return { payload: Buffer.concat(chunks), trailers: readTrailers(body, next) };
    const end = next + size;
    if (end + CRLF.length > body.length || !body.subarray(end, end + CRLF.length).equals(CRLF)) {
      throw incompleteBody();
    }
    chunks.push(body.subarray(next, end));
    position = end + CRLF.length;
  }
}
