import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventStore, type RecordedEvent } from '../../functions/eventsourcing';
import { GlobalLogIndexer } from '../../functions/eventsourcing/global-log';
import { mapConcurrently } from '../../functions/eventsourcing/consumers/concurrency';
import { prefixedTableNames } from '../../functions/eventsourcing/declaration';
import { itemBytes } from '../../functions/eventsourcing/item-size';
import { tables as declaredTables, type TableKey } from '../../functions/system';
import { createTables } from '../../local/tables';
import { writeFirstItem } from '../environment';
import { EVENT_METADATA, benchEvents, depositEvent } from '../workload';

/** The tables verifiable history reads and writes, and the snapshots beside them. */
export interface HistoryTables {
  readonly events: string;
  readonly globalLog: string;
  readonly seals: string;
  readonly snapshots: string;
}

/**
 * Fresh tables for the seeded history, created and first written before anything fills the
 * database (see `writeFirstItem`): the verifier scans the whole events table, so no other
 * section's events may sit in it.
 */
export async function createHistoryTables(
  client: DynamoDBClient,
  prefix = 'bench-history-',
): Promise<HistoryTables> {
  const names: Record<TableKey, string> = prefixedTableNames(declaredTables, prefix);
  await createTables(client, names);
  for (const name of Object.values(names)) await writeFirstItem(client, name);
  const { events, globalLog, seals, snapshots } = names;
  return { events, globalLog, seals, snapshots };
}

/** Appends running at once while seeding. */
const APPEND_CONCURRENCY = 16;
/** Events per indexer call: the batch size of the host the indexer runs in. */
const INDEX_BATCH = 100;

/** One version of each stream in turn: the order a stream runner sees interleaved writers in. */
function interleaved(appended: readonly (readonly RecordedEvent[])[]): RecordedEvent[] {
  const order: RecordedEvent[] = [];
  const longest = Math.max(...appended.map((events) => events.length));
  for (let index = 0; index < longest; index++) {
    for (const events of appended) {
      const event = events[index];
      if (event) order.push(event);
    }
  }
  return order;
}

/**
 * A history that grows on demand: deposits spread evenly over a fixed set of streams (one
 * append per stream and round, an exact expected version), each round indexed in the global log
 * in the order a stream runner would deliver it, in batches like the indexer's host.
 */
export class SeededHistory {
  private readonly store: EventStore;
  private readonly indexer: GlobalLogIndexer;
  private readonly versions: number[];
  events = 0;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: HistoryTables,
    readonly streams: number,
    /** Stream ids are this and the stream's number. */
    readonly streamPrefix = 'account-',
  ) {
    this.store = new EventStore({ client, tableName: tables.events, catalogue: benchEvents });
    this.indexer = new GlobalLogIndexer({
      client,
      tables: { events: tables.events, globalLog: tables.globalLog },
    });
    this.versions = Array.from({ length: streams }, () => 0);
  }

  /** Appends `count` events and gives each its position in the log. */
  async add(count: number): Promise<void> {
    const streams = Array.from({ length: this.streams }, (_, s) => s);
    const appended = await mapConcurrently(streams, APPEND_CONCURRENCY, async (s) => {
      const length = Math.floor(count / this.streams) + (s < count % this.streams ? 1 : 0);
      if (length === 0) return [];
      const result = await this.store.append(
        `${this.streamPrefix}${s}`,
        Array.from({ length }, (_, i) => depositEvent(this.versions[s]! + i + 1)),
        { expectedVersion: this.versions[s]!, metadata: EVENT_METADATA },
      );
      this.versions[s] = result.version;
      return result.events;
    });
    const order = interleaved(appended);
    for (let from = 0; from < order.length; from += INDEX_BATCH) {
      const { failed } = await this.indexer.index(order.slice(from, from + INDEX_BATCH));
      const [error] = failed.values();
      if (error) throw error;
    }
    this.events += count;
  }

  /** Bytes of the log's pages per position they hold: what reading positions costs at least. */
  async logBytesPerPosition(): Promise<number> {
    let bytes = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.tables.globalLog, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) {
        // Pages are the partitions `page#<epoch>` (global-log/layout.ts).
        if (item.pk?.S?.startsWith('page#')) bytes += itemBytes(item);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return bytes / this.events;
  }
}
