import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  MAX_CALL_BYTES,
  MAX_ENTRIES_PER_CALL,
  entryBytes,
} from '../functions/integration/put-events';

/** An event as the local bus received it, with the id EventBridge would have assigned. */
export interface ReceivedEvent {
  readonly id: string;
  readonly receivedAt: string;
  readonly entry: PutEventsRequestEntry;
}

export interface LocalEventBusOptions {
  readonly port?: number;
  /** JSON-lines file every accepted event is appended to, for the developer to follow. */
  readonly file?: string;
  /** Lets tests make EventBridge refuse entries, as it does under throttling or faults. */
  readonly refuse?: (entry: PutEventsRequestEntry) => { code: string; message: string } | undefined;
}

export interface LocalEventBus {
  readonly endpoint: string;
  readonly events: readonly ReceivedEvent[];
  stop(): Promise<void>;
}

const JSON_11 = 'application/x-amz-json-1.1';

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': JSON_11 });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A local stand-in for an EventBridge bus that speaks the PutEvents wire protocol, so the
 * publisher runs the same SDK calls locally as in AWS (the SDK is pointed here through
 * `EVENTBRIDGE_ENDPOINT`). It enforces PutEvents' limits and shows what was published:
 * `GET /events` returns every accepted event.
 */
export async function startLocalEventBus(
  options: LocalEventBusOptions = {},
): Promise<LocalEventBus> {
  const events: ReceivedEvent[] = [];
  if (options.file) mkdirSync(dirname(options.file), { recursive: true });

  const putEvents = (entries: PutEventsRequestEntry[]) => {
    let failedEntryCount = 0;
    const results = entries.map((entry) => {
      const refusal = options.refuse?.(entry);
      if (refusal) {
        failedEntryCount += 1;
        return { ErrorCode: refusal.code, ErrorMessage: refusal.message };
      }
      const received: ReceivedEvent = {
        id: randomUUID(),
        receivedAt: new Date().toISOString(),
        entry,
      };
      events.push(received);
      if (options.file) appendFileSync(options.file, `${JSON.stringify(received)}\n`);
      return { EventId: received.id };
    });
    return { FailedEntryCount: failedEntryCount, Entries: results };
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.method === 'GET' && request.url === '/events') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(events));
        return;
      }
      if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        send(response, 400, { __type: 'UnknownOperationException', message: 'Only PutEvents' });
        return;
      }
      const body = JSON.parse(await readBody(request)) as { Entries?: PutEventsRequestEntry[] };
      const entries = body.Entries ?? [];
      const totalBytes = entries.reduce((sum, entry) => sum + entryBytes(entry), 0);
      if (entries.length === 0 || entries.length > MAX_ENTRIES_PER_CALL) {
        send(response, 400, {
          __type: 'ValidationException',
          message: `PutEvents takes 1 to ${MAX_ENTRIES_PER_CALL} entries, got ${entries.length}`,
        });
        return;
      }
      if (totalBytes > MAX_CALL_BYTES) {
        send(response, 400, {
          __type: 'ValidationException',
          message: `Total size of the entries is ${totalBytes} bytes; the limit is ${MAX_CALL_BYTES}`,
        });
        return;
      }
      send(response, 200, putEvents(entries));
    })().catch((error: unknown) => {
      send(response, 500, { __type: 'InternalException', message: String(error) });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    events,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
