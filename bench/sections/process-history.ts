import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RecordedEvent } from '../../functions/eventsourcing';
import { eventFromItem, isEventItem } from '../../functions/eventsourcing/event-items';
import { itemBytes } from '../../functions/eventsourcing/item-size';
import { instanceStreamId } from '../../functions/eventsourcing/process-manager/process-events';
import { readHead } from '../../functions/eventsourcing/stream-head-items';
import { orderEvents } from '../../functions/orders/events';
import { writeUnits } from '../request-counter';
import { quantile } from '../stats';

/** p50, p95 and p99 of some latencies, in milliseconds. */
export interface Quantiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** What the process wrote for one order, on average over the orders of a run. */
export interface ProcessWrites {
  /**
   * Events of the instance's own stream (`ProcessInputApplied`, `ProcessCommandDone`): each
   * appended by one `TransactWriteItems`, with its command's events and each stream's head.
   */
  readonly processEvents: number;
  /** Events its commands appended to products, accounts and the order. */
  readonly targetEvents: number;
  /** Items put: those events and one head per stream per transaction. */
  readonly items: number;
  /** Write request units by DynamoDB's rules (two per started KB of each item, transactional). */
  readonly writeUnits: number;
}

/** Latencies and writes of a run's orders, from the events table's items. */
export interface ProcessHistory {
  /** `recordedAt` of the run's last `OrderPaid`, in epoch milliseconds. */
  readonly lastPaidAt: number;
  readonly latencyMs: {
    /** `OrderConfirmed` → the last `StockReserved` of the order. */
    readonly reserved: Quantiles;
    /** `OrderPaymentSubmitted` → `OrderPaid`. */
    readonly paid: Quantiles;
    /** `OrderConfirmed` → `OrderPaid`. */
    readonly confirmedToPaid: Quantiles;
  };
  readonly perOrder: ProcessWrites;
}

const PROCESS = 'order-fulfilment';

interface TableContents {
  readonly events: readonly RecordedEvent[];
  readonly bytes: ReadonlyMap<RecordedEvent, number>;
  /** Bytes of each stream's head as it is now (a head's size hardly changes as it moves). */
  readonly headBytes: ReadonlyMap<string, number>;
}

async function scanTable(client: DynamoDBClient, tableName: string): Promise<TableContents> {
  const events: RecordedEvent[] = [];
  const bytes = new Map<RecordedEvent, number>();
  const headBytes = new Map<string, number>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      const head = readHead(item);
      if (head) headBytes.set(head.streamId, itemBytes(item));
      if (!isEventItem(item)) continue;
      const event = eventFromItem(item);
      events.push(event);
      bytes.set(event, itemBytes(item));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { events, bytes, headBytes };
}

const quantiles = (values: readonly number[]): Quantiles => ({
  p50: quantile(values, 0.5),
  p95: quantile(values, 0.95),
  p99: quantile(values, 0.99),
});

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const values = map.get(key);
  if (values) values.push(value);
  else map.set(key, [value]);
}

const at = (event: RecordedEvent | undefined, what: string): number => {
  if (!event) throw new Error(`no ${what} in the events table`);
  return Date.parse(event.recordedAt);
};

/** The writes of one order's instance: its own events, and those its commands appended. */
function writesOf(
  contents: TableContents,
  processStream: readonly RecordedEvent[],
  byCause: ReadonlyMap<string, readonly RecordedEvent[]>,
): ProcessWrites {
  const units = (event: RecordedEvent) => writeUnits(contents.bytes.get(event)!);
  const headUnits = (streamId: string) => writeUnits(contents.headBytes.get(streamId) ?? 0);
  let targetEvents = 0;
  let items = 0;
  let transactionUnits = 0;
  for (const event of processStream) {
    // The command's events share the transaction, and its cause, with `ProcessCommandDone`.
    const cause = event.metadata.causationId;
    const targets = event.type === 'ProcessCommandDone' && cause ? (byCause.get(cause) ?? []) : [];
    const streams = new Set([event.streamId, ...targets.map((target) => target.streamId)]);
    targetEvents += targets.length;
    items += 1 + targets.length + streams.size;
    transactionUnits +=
      units(event) +
      targets.reduce((sum, target) => sum + units(target), 0) +
      [...streams].reduce((sum, streamId) => sum + headUnits(streamId), 0);
  }
  return {
    processEvents: processStream.length,
    targetEvents,
    items,
    writeUnits: 2 * transactionUnits,
  };
}

const mean = (values: readonly ProcessWrites[], key: keyof ProcessWrites) =>
  values.reduce((sum, value) => sum + value[key], 0) / values.length;

/**
 * Reads the events table once and measures the run's orders from their events' `recordedAt`
 * (each recorded in the transaction that appended it, so no polling is timed) and from the
 * items the process wrote for them. Fails if an order is not paid.
 */
export async function processHistory(
  client: DynamoDBClient,
  tableName: string,
  orderIds: readonly string[],
): Promise<ProcessHistory> {
  const contents = await scanTable(client, tableName);
  const byStream = new Map<string, RecordedEvent[]>();
  const byCause = new Map<string, RecordedEvent[]>();
  const reservations = new Map<string, RecordedEvent[]>();
  for (const event of contents.events) {
    push(byStream, event.streamId, event);
    const cause = event.metadata.causationId;
    if (cause && !event.streamId.startsWith('process-')) {
      push(byCause, cause, event);
    }
    if (event.type === 'StockReserved') {
      const { orderId } = event.data as { orderId: string };
      push(reservations, orderId, event);
    }
  }
  const latencies = { reserved: [] as number[], paid: [] as number[], total: [] as number[] };
  const writes: ProcessWrites[] = [];
  let lastPaidAt = 0;
  for (const orderId of orderIds) {
    const order = byStream.get(orderEvents.streamId(orderId)) ?? [];
    const ofType = (type: string) => order.find((event) => event.type === type);
    const confirmed = at(ofType('OrderConfirmed'), `OrderConfirmed of ${orderId}`);
    const submitted = at(ofType('OrderPaymentSubmitted'), `payment of ${orderId}`);
    const paid = at(ofType('OrderPaid'), `OrderPaid of ${orderId}`);
    const reserved = Math.max(
      ...(reservations.get(orderId) ?? []).map((event) => Date.parse(event.recordedAt)),
    );
    if (!Number.isFinite(reserved)) throw new Error(`no StockReserved for order ${orderId}`);
    latencies.reserved.push(reserved - confirmed);
    latencies.paid.push(paid - submitted);
    latencies.total.push(paid - confirmed);
    lastPaidAt = Math.max(lastPaidAt, paid);
    const instance = byStream.get(instanceStreamId(PROCESS, orderId)) ?? [];
    writes.push(writesOf(contents, instance, byCause));
  }
  return {
    lastPaidAt,
    latencyMs: {
      reserved: quantiles(latencies.reserved),
      paid: quantiles(latencies.paid),
      confirmedToPaid: quantiles(latencies.total),
    },
    perOrder: {
      processEvents: mean(writes, 'processEvents'),
      targetEvents: mean(writes, 'targetEvents'),
      items: mean(writes, 'items'),
      writeUnits: mean(writes, 'writeUnits'),
    },
  };
}
