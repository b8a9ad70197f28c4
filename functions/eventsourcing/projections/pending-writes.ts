import { EventSourcingError } from '../errors.js';
import type { ReadModelItem, ReadModelKey, ReadModelWrite } from '../projection.js';

/** DynamoDB's limit of actions in one TransactWriteItems call. */
const MAX_TRANSACTION_ACTIONS = 100;
/** Stay well below DynamoDB's 4 MB per transaction (sizes here are JSON estimates). */
const MAX_TRANSACTION_ESTIMATED_BYTES = 2_000_000;

export const keyOfWrite = (write: ReadModelWrite): ReadModelKey =>
  'put' in write ? write.put : 'update' in write ? write.update.key : write.delete;

/** One string per read-model key, for maps of items. */
export const keyId = (key: ReadModelKey) => JSON.stringify([key.pk, key.sk]);

/** A projection's writes that break the contract; the event cannot be projected. */
export class InvalidReadModelWriteError extends EventSourcingError {
  readonly code = 'InvalidReadModelWrite';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReadModelWriteError';
  }
}

/**
 * The read-model writes of consecutive events of one stream, waiting to be committed together
 * with the advance of the stream's applied version. Later puts and deletes of an item replace
 * earlier ones (the item ends up the same); an update of an item already pending cannot be
 * merged, so the group is committed first.
 */
export class PendingWrites {
  private readonly writes = new Map<string, ReadModelWrite>();
  private estimatedBytes = 0;

  all(): ReadModelWrite[] {
    return [...this.writes.values()];
  }

  /**
   * What a read of `key` sees: the pending item, `null` for a pending delete, `undefined` when
   * nothing is pending, or `'unknown'` when only an update expression is pending.
   */
  lookup(key: ReadModelKey): ReadModelItem | null | undefined | 'unknown' {
    const write = this.writes.get(keyId(key));
    if (!write) return undefined;
    if ('put' in write) return structuredClone(write.put);
    if ('delete' in write) return null;
    return 'unknown';
  }

  /** Whether one event's writes can join the group without committing it first. */
  canTake(writes: readonly ReadModelWrite[]): boolean {
    const ids = new Set(writes.map((write) => keyId(keyOfWrite(write))));
    const added = [...ids].filter((id) => !this.writes.has(id)).length;
    if (this.writes.size + added + 1 > MAX_TRANSACTION_ACTIONS) return false;
    if (this.estimatedBytes + estimateBytes(writes) > MAX_TRANSACTION_ESTIMATED_BYTES) return false;
    return !writes.some((write) => 'update' in write && this.writes.has(keyId(write.update.key)));
  }

  add(writes: readonly ReadModelWrite[]): void {
    for (const write of writes) this.writes.set(keyId(keyOfWrite(write)), write);
    this.estimatedBytes += estimateBytes(writes);
  }
}

function estimateBytes(writes: readonly ReadModelWrite[]): number {
  return writes.reduce((sum, write) => sum + JSON.stringify(write).length, 0);
}

/**
 * Checks one event's writes: well-formed, at most 99 items (one action is the applied-version
 * advance), and no item updated after another write of the same event (one transaction cannot
 * touch an item twice). Repeated puts or deletes collapse to the last one.
 */
export function normaliseEventWrites(writes: unknown): ReadModelWrite[] {
  if (!Array.isArray(writes)) {
    throw new InvalidReadModelWriteError('apply must return an array of read-model writes');
  }
  const byKey = new Map<string, ReadModelWrite>();
  for (const write of writes as ReadModelWrite[]) {
    const kinds = ['put', 'update', 'delete'].filter((kind) => kind in (write ?? {}));
    if (kinds.length !== 1) {
      throw new InvalidReadModelWriteError(
        'each read-model write must have exactly one of put, update or delete',
      );
    }
    if ('update' in write && typeof write.update.updateExpression !== 'string') {
      throw new InvalidReadModelWriteError('an update needs an updateExpression');
    }
    const id = keyId(keyOfWrite(write));
    if ('update' in write && byKey.has(id)) {
      throw new InvalidReadModelWriteError(
        `one event changes item ${id} twice with an update; combine them into one update`,
      );
    }
    byKey.set(id, write);
  }
  if (byKey.size > MAX_TRANSACTION_ACTIONS - 1) {
    throw new InvalidReadModelWriteError(
      `one event writes ${byKey.size} items; at most ${MAX_TRANSACTION_ACTIONS - 1} fit in one transaction`,
    );
  }
  return [...byKey.values()];
}
