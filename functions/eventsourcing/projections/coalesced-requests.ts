import {
  BatchGetCommand,
  GetCommand,
  TransactWriteCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { ReadModelItem, ReadModelKey } from '../projection.js';

/** One action of a TransactWriteItems call. */
export type TransactAction = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limits of keys in one BatchGetItem call and of actions in one transaction. */
const MAX_BATCH_GET_KEYS = 100;
const MAX_TRANSACTION_ACTIONS = 100;
/** Stay well below DynamoDB's 4 MB per transaction (sizes here are JSON estimates). */
const MAX_TRANSACTION_ESTIMATED_BYTES = 2_000_000;

interface Settles<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

interface Read extends Settles<ReadModelItem | undefined> {
  readonly tableName: string;
  readonly key: ReadModelKey;
}

interface Write extends Settles<void> {
  readonly actions: readonly TransactAction[];
  readonly items: readonly string[];
  readonly estimatedBytes: number;
}

/**
 * Consistent reads and transactions of read-model tables, gathered while the streams of a
 * batch (and the consumers of a host) run side by side: the reads asked for until the event
 * loop turns go out as one BatchGetItem, the transactions as few TransactWriteItems as their
 * limits allow. DynamoDB serves one request of many items far faster than many requests of a
 * few, and the work of a batch stays the same.
 *
 * Each caller gets the answer its own request would have had: a combined request that fails is
 * sent again one request per caller, so one consumer's refused write or bad key never fails
 * another's, and a refused transaction reports its own actions' cancellation reasons. Items
 * are read-model items, keyed by `pk` and `sk`.
 */
export class CoalescedRequests {
  private reads: Read[] = [];
  private writes: Write[] = [];
  private scheduled = false;

  constructor(private readonly doc: DynamoDBDocumentClient) {}

  /** Consistent read of one item. */
  get(tableName: string, key: ReadModelKey): Promise<ReadModelItem | undefined> {
    return new Promise((resolve, reject) => {
      this.reads.push({ tableName, key: { pk: key.pk, sk: key.sk }, resolve, reject });
      this.schedule();
    });
  }

  /** One transaction: all its actions are applied, or none. */
  transact(actions: readonly TransactAction[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.writes.push({
        actions,
        items: actions.map(itemOfAction),
        estimatedBytes: JSON.stringify(actions).length,
        resolve,
        reject,
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const [reads, writes] = [this.reads, this.writes];
      this.reads = [];
      this.writes = [];
      for (const chunk of chunksOf(uniqueReads(reads), MAX_BATCH_GET_KEYS)) {
        void this.readTogether(chunk, reads);
      }
      for (const group of transactionsOf(writes)) void this.writeTogether(group);
    });
  }

  /** Reads `keys` in one BatchGetItem (asking again for unprocessed ones) and answers `reads`. */
  private async readTogether(keys: readonly Read[], reads: readonly Read[]): Promise<void> {
    const asked = new Set(keys.map(readId));
    const waiting = reads.filter((read) => asked.has(readId(read)));
    try {
      const found = keys.length === 1 ? await this.getOne(keys[0]!) : await this.getMany(keys);
      for (const read of waiting) read.resolve(found.get(readId(read)));
    } catch (error) {
      if (keys.length === 1) return waiting.forEach((read) => read.reject(error));
      for (const key of keys) void this.readTogether([key], waiting);
    }
  }

  private async getOne(read: Read): Promise<Map<string, ReadModelItem>> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: read.tableName, Key: read.key, ConsistentRead: true }),
    );
    return new Map(Item ? [[readId(read), Item as ReadModelItem]] : []);
  }

  private async getMany(reads: readonly Read[]): Promise<Map<string, ReadModelItem>> {
    const found = new Map<string, ReadModelItem>();
    let pending: Record<string, { Keys: ReadModelKey[]; ConsistentRead: true }> | undefined =
      byTable(reads);
    while (pending && Object.keys(pending).length > 0) {
      const result: BatchGetCommandOutput = await this.doc.send(
        new BatchGetCommand({ RequestItems: pending }),
      );
      for (const [tableName, items] of Object.entries(result.Responses ?? {})) {
        for (const item of items) {
          const key = { pk: item.pk as string, sk: item.sk as string };
          found.set(readId({ tableName, key }), item as ReadModelItem);
        }
      }
      pending = result.UnprocessedKeys as typeof pending;
    }
    return found;
  }

  /** Sends `group` as one transaction; if it fails, each write of it on its own. */
  private async writeTogether(group: readonly Write[]): Promise<void> {
    try {
      await this.doc.send(
        new TransactWriteCommand({ TransactItems: group.flatMap((write) => write.actions) }),
      );
      for (const write of group) write.resolve();
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      for (const write of group) void this.writeTogether([write]);
    }
  }
}

const readId = ({ tableName, key }: Pick<Read, 'tableName' | 'key'>) =>
  JSON.stringify([tableName, key.pk, key.sk]);

/** One read per item: a BatchGetItem must not name a key twice. */
function uniqueReads(reads: readonly Read[]): Read[] {
  return [...new Map(reads.map((read) => [readId(read), read])).values()];
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

function byTable(
  reads: readonly Read[],
): Record<string, { Keys: ReadModelKey[]; ConsistentRead: true }> {
  const tables: Record<string, { Keys: ReadModelKey[]; ConsistentRead: true }> = {};
  for (const { tableName, key } of reads) {
    (tables[tableName] ??= { Keys: [], ConsistentRead: true }).Keys.push(key);
  }
  return tables;
}

/** The read-model item an action writes, as `readId` names it. */
function itemOfAction(action: TransactAction): string {
  const keyed = action.Update ?? action.Delete ?? action.ConditionCheck;
  const item = (action.Put?.Item ?? keyed?.Key ?? {}) as Partial<ReadModelKey>;
  const tableName = action.Put?.TableName ?? keyed?.TableName;
  return JSON.stringify([tableName, item.pk, item.sk]);
}

/**
 * Packs writes into transactions in the order they came: each within DynamoDB's limits, and
 * none touching an item twice (a transaction cannot).
 */
function transactionsOf(writes: readonly Write[]): Write[][] {
  const groups: { writes: Write[]; items: Set<string>; actions: number; bytes: number }[] = [];
  for (const write of writes) {
    const fits = groups.find(
      (group) =>
        group.actions + write.actions.length <= MAX_TRANSACTION_ACTIONS &&
        group.bytes + write.estimatedBytes <= MAX_TRANSACTION_ESTIMATED_BYTES &&
        !write.items.some((item) => group.items.has(item)),
    );
    if (fits) {
      fits.writes.push(write);
      write.items.forEach((item) => fits.items.add(item));
      fits.actions += write.actions.length;
      fits.bytes += write.estimatedBytes;
    } else {
      groups.push({
        writes: [write],
        items: new Set(write.items),
        actions: write.actions.length,
        bytes: write.estimatedBytes,
      });
    }
  }
  return groups.map((group) => group.writes);
}
