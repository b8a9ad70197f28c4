import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AggregateRepository,
  CommandHandler,
  EventStore,
  SnapshotStore,
  createDynamoDbClient,
  everyNEvents,
  timeBased,
  type SnapshotStrategy,
} from '../../functions/eventsourcing';
import { counter } from '../support/counter';
import { createTestTables, type TestTables } from '../support/dynamodb';
import { counterEvents } from '../support/test-events';

let tables: TestTables;
let streamCounter = 0;
const newStreamId = () => `snapshot-settings-${Date.now()}-${++streamCounter}`;
const newStore = () =>
  new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue: counterEvents,
  });

/**
 * A DynamoDB endpoint in front of DynamoDB Local that forwards every request but `PutItem`,
 * which it takes and never answers: a snapshot write that hangs.
 */
let hanging: Server;
let hangingEndpoint: string;
const heldPuts: ServerResponse[] = [];

async function forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (String(request.headers['x-amz-target']).endsWith('.PutItem')) {
    heldPuts.push(response);
    return;
  }
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(
      ([name, value]) => typeof value === 'string' && !['host', 'content-length'].includes(name),
    ),
  ) as Record<string, string>;
  const answer = await fetch(`${tables.endpoint}${request.url ?? '/'}`, {
    method: request.method ?? 'POST',
    headers,
    body: Buffer.concat(chunks),
  });
  response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
  response.end(Buffer.from(await answer.arrayBuffer()));
}

beforeAll(async () => {
  tables = await createTestTables();
  hanging = createServer((request, response) => void forward(request, response));
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  hangingEndpoint = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
});
afterAll(async () => {
  hanging.closeAllConnections();
  await new Promise((resolve) => hanging.close(resolve));
});

/** Appends `count` increments of 1 in transactions of up to 100. */
async function increments(streamId: string, count: number) {
  const store = newStore();
  for (let done = 0; done < count; done += 100) {
    const size = Math.min(100, count - done);
    const events = Array.from({ length: size }, () => ({ type: 'Incremented', data: { by: 1 } }));
    await store.append(streamId, events, { expectedVersion: done });
  }
}

describe('a snapshot write that hangs', () => {
  it('is abandoned after its timeout: the command answers, and the warning says why', async () => {
    const streamId = newStreamId();
    const warn = vi.fn();
    const client = createDynamoDbClient({ endpoint: hangingEndpoint, region: 'local' });
    const repository = new AggregateRepository(
      newStore(),
      counter,
      {
        store: new SnapshotStore(client, tables.names.snapshots),
        strategy: everyNEvents(1),
        stateVersion: 1,
        writeTimeoutMs: 300,
      },
      { warn },
    );
    const held = heldPuts.length;
    const result = await new CommandHandler(repository).handle(streamId, {
      type: 'increment',
      by: 3,
    });
    expect(result).toMatchObject({ version: 1, state: { value: 3 } });
    // The write was sent and never answered; the command did not wait for it.
    expect(heldPuts.length).toBe(held + 1);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('Snapshot write failed'),
      expect.objectContaining({ streamId, version: 1 }),
    );
    expect((await newStore().read(streamId)).map((event) => event.version)).toEqual([1]);
    // The next command answers too, from the events alone.
    const next = await new CommandHandler(repository).handle(streamId, {
      type: 'increment',
      by: 1,
    });
    expect(next).toMatchObject({ version: 2, state: { value: 4 } });
    client.destroy();
  });
});

describe('tailWindow', () => {
  /** How many Query requests one load sends, and what it loaded. */
  async function load(streamId: string, strategy: SnapshotStrategy, tailWindow?: number) {
    const repository = new AggregateRepository(newStore(), counter, {
      store: new SnapshotStore(tables.client, tables.names.snapshots),
      strategy,
      stateVersion: 1,
      ...(tailWindow === undefined ? {} : { tailWindow }),
    });
    let queries = 0;
    const name = `count-queries-${++streamCounter}`;
    tables.client.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'QueryCommand') queries += 1;
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const loaded = await repository.load(streamId);
      return { queries, version: loaded.version, eventsRead: loaded.eventsRead };
    } finally {
      tables.client.middlewareStack.remove(name);
    }
  }

  /** A stream of `length` increments with a snapshot at `at`. */
  async function streamWithSnapshot(length: number, at: number) {
    const streamId = newStreamId();
    await increments(streamId, length);
    const plain = await new AggregateRepository(newStore(), counter).load(streamId, {
      version: at,
    });
    await new SnapshotStore(tables.client, tables.names.snapshots).save({
      streamId,
      version: at,
      state: plain.state,
      stateVersion: 1,
      takenAt: new Date().toISOString(),
      eventRecordedAt: plain.lastRecordedAt!,
    });
    return streamId;
  }

  it("overrides the strategy's window, wider or narrower", async () => {
    const behind = await streamWithSnapshot(40, 12);
    // everyNEvents(10) reads 10 beside the snapshot: 28 behind costs a second Query.
    expect(await load(behind, everyNEvents(10))).toEqual({
      queries: 2,
      version: 40,
      eventsRead: 28,
    });
    expect(await load(behind, everyNEvents(10), 30)).toEqual({
      queries: 1,
      version: 40,
      eventsRead: 28,
    });
    const near = await streamWithSnapshot(30, 24);
    expect(await load(near, everyNEvents(10))).toMatchObject({ queries: 1, eventsRead: 6 });
    expect(await load(near, everyNEvents(10), 5)).toMatchObject({ queries: 2, eventsRead: 6 });
  });

  it('is 50 when the strategy does not say how many events accumulate', async () => {
    const fifty = newStreamId();
    await increments(fifty, 50);
    expect(await load(fifty, timeBased(60_000))).toEqual({
      queries: 1,
      version: 50,
      eventsRead: 50,
    });
    const longer = newStreamId();
    await increments(longer, 51);
    expect(await load(longer, timeBased(60_000))).toEqual({
      queries: 2,
      version: 51,
      eventsRead: 51,
    });
    expect(await load(longer, timeBased(60_000), 60)).toMatchObject({ queries: 1 });
  });
});
