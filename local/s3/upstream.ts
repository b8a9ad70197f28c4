import { request, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';

/** Headers that describe how this request was signed and framed, not the object. */
const FRAMING_HEADERS = new Set([
  'authorization',
  'x-amz-content-sha256',
  'x-amz-decoded-content-length',
  'x-amz-trailer',
  'transfer-encoding',
  'content-length',
  'host',
  'connection',
  'expect',
]);

/** The request's headers for the storage server: its payload decoded, its signature checked. */
function forwardedHeaders(headers: IncomingHttpHeaders, payloadLength: number) {
  const forwarded: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !FRAMING_HEADERS.has(name)) forwarded[name] = value;
  }
  const encodings = String(headers['content-encoding'] ?? '')
    .split(',')
    .map((encoding) => encoding.trim())
    .filter((encoding) => encoding !== '' && encoding !== 'aws-chunked');
  if (encodings.length > 0) forwarded['content-encoding'] = encodings.join(',');
  else delete forwarded['content-encoding'];
  forwarded['content-length'] = String(payloadLength);
  return forwarded;
}

/** The storage server behind the gateway (s3rver), on a loopback port. */
export class Upstream {
  constructor(private readonly port: number) {}

  /** The status the storage server answers a bodiless request with. */
  status(method: 'HEAD', path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const probe = request({ host: '127.0.0.1', port: this.port, method, path, agent: false });
      probe.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      probe.on('error', reject).end();
    });
  }

  /**
   * Sends a request on with `payload` as its body, and its answer back to `response`; resolves
   * once the answer is written.
   */
  forward(
    incoming: { method: string; url: string; headers: IncomingHttpHeaders },
    payload: Buffer,
    response: ServerResponse,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const outgoing = request({
        host: '127.0.0.1',
        port: this.port,
        method: incoming.method,
        path: incoming.url,
        headers: forwardedHeaders(incoming.headers, payload.length),
        agent: false,
      });
      outgoing.on('response', (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        pipeline(answer, response).then(resolve, reject);
      });
      outgoing.on('error', reject).end(payload);
    });
  }
}
