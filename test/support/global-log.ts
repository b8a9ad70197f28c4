import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { EventStore, type RecordedEvent } from '../../functions/eventsourcing';
import {
  GlobalLogReader,
  createGlobalLogIndexerHandler,
  type GlobalLogIndexerHandler,
  type GlobalLogReaderOptions,
  type GlobalLogTables,
  type LogReference,
} from '../../functions/eventsourcing/global-log';
import { createDynamoDbClient } from '../../functions/eventsourcing';
import { waitFor } from '../../local/wait-for';
import { createTestTables, type TestTables } from './dynamodb';
import { balanceEvents } from './test-events';

export interface GlobalLogFixture {
  readonly tables: TestTables;
  readonly logTables: GlobalLogTables;
  readonly store: EventStore;
  /** An indexer handler; each call makes a new one, as another Lambda instance would be. */
  indexer(options?: {
    client?: DynamoDBClient;
    positionsPerEpoch?: number;
  }): GlobalLogIndexerHandler;
  reader(options?: Partial<GlobalLogReaderOptions>): GlobalLogReader;
}

/** The log on the given test tables, or on fresh ones. */
export async function createGlobalLogFixture(given?: TestTables): Promise<GlobalLogFixture> {
  const tables = given ?? (await createTestTables());
  const logTables = { globalLog: tables.names.globalLog, events: tables.names.events };
  return {
    tables,
    logTables,
    store: new EventStore({
      client: tables.client,
      tableName: tables.names.events,
      catalogue: balanceEvents,
    }),
    indexer: (options = {}) =>
      createGlobalLogIndexerHandler({
        client: options.client ?? tables.client,
        tables: logTables,
        ...(options.positionsPerEpoch ? { positionsPerEpoch: options.positionsPerEpoch } : {}),
      }),
    reader: (options = {}) =>
      new GlobalLogReader({ client: tables.client, tables: logTables, ...options }),
  };
}

/** A client of its own on the run's DynamoDB Local (for middleware that must not leak). */
export function ownClient(tables: TestTables): DynamoDBClient {
  return createDynamoDbClient({ endpoint: tables.endpoint, region: 'local' });
}

/** Every reference of the log, page by page (`limit` at a time). */
export async function readAllReferences(
  reader: GlobalLogReader,
  options: { limit?: number; types?: readonly string[] } = {},
): Promise<LogReference[]> {
  const all: LogReference[] = [];
  let after = 0;
  for (;;) {
    const slice = await reader.references({ after, limit: options.limit ?? 100, ...options });
    all.push(...slice.events);
    if (slice.next === after) return all;
    after = slice.next;
  }
}

/**
 * What every promise of the log says about a complete log of `events`: positions 1..n with no
 * gap or repeat, each event exactly once, each stream in version order.
 */
export function expectExactlyOnce(
  references: readonly LogReference[],
  events: readonly RecordedEvent[],
): void {
  expect(references.map((r) => r.position)).toEqual(references.map((_, i) => i + 1));
  const key = (e: { streamId: string; version: number }) => `${e.streamId}#${e.version}`;
  expect(references.map(key).sort()).toEqual(events.map(key).sort());
  const lastVersion = new Map<string, number>();
  for (const reference of references) {
    expect(reference.version).toBe((lastVersion.get(reference.streamId) ?? 0) + 1);
    lastVersion.set(reference.streamId, reference.version);
  }
}

/** Waits until the log holds at least `count` events. */
export function waitUntilIndexed(reader: GlobalLogReader, count: number): Promise<true> {
  return waitFor(async () => ((await reader.head()).lastPosition >= count ? true : undefined), {
    timeoutMs: 30_000,
    description: `${count} events in the global log`,
  });
}
