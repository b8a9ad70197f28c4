export type AttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

export interface GlobalIndexDeclaration {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface TableDeclaration {
  readonly description: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** DynamoDB Streams view type, when stream consumers read this table. */
  readonly stream?: 'NEW_IMAGE';
  /** Attribute holding an epoch-seconds expiry that DynamoDB TTL removes. */
  readonly timeToLiveAttribute?: string;
  readonly globalIndexes?: readonly GlobalIndexDeclaration[];
  /** Tables holding the source of truth are retained and protected; derived ones are not. */
  readonly durability: 'source-of-truth' | 'derived';
  /**
   * Items are only ever inserted, never updated or deleted: functions may get `read` or `append`
   * access and nothing more, and the CDK app fails synthesis if any role could change an item.
   * The one exception: a single function with `archive` access may delete items its archive
   * bucket already holds.
   */
  readonly appendOnly?: true;
  /**
   * A read model (`readModelTable`): a projection keeps it, so a function reading it while no
   * stream consumer writes it fails the declaration check (it would stay empty).
   */
  readonly readModel?: true;
  /**
   * Days point-in-time recovery reaches back (1 to 35; 35 when omitted). A table whose deleted
   * items must not come back after a while (data keys of erased subjects) keeps fewer.
   */
  readonly recoveryPeriodDays?: number;
}

/**
 * What a function may do to a table; the CDK app grants exactly this and nothing more.
 * - `read`: GetItem, BatchGetItem, Query
 * - `append`: GetItem, Query and PutItem (conditional puts and transactions of puts). The
 *   writing access functions get to the events table: events are never updated, and deleted only
 *   by the archiver once archived (`archive`).
 * - `readWrite`: `read` plus PutItem, UpdateItem, DeleteItem. Never on events.
 * - `appendAndScan`, `readWriteAndScan`: the same plus Scan, for the rare sweep of a whole table
 *   (an erasure looking for a subject's values).
 * - `archive`: GetItem, Query, PutItem, DeleteItem and Scan, for the one function of a system
 *   that moves an append-only table's old items to its archive bucket: it scans for stream
 *   heads, puts heads and archive marks, and deletes the items the archive already holds. The one exception to an append-only table, named in
 *   its resource policy; the declaration check allows it to a single function.
 */
export type TableAccess =
  'read' | 'append' | 'readWrite' | 'appendAndScan' | 'readWriteAndScan' | 'archive';

/** The tables a function or consumer uses, by logical name, with the access it needs. */
export type TableGrants<TableKey extends string = string> = Readonly<
  Partial<Record<TableKey, TableAccess>>
>;

/** A projection's read model: items under `pk` and `sk` (see `ReadModelKey`), rebuilt from events. */
export const readModelTable = (description: string) =>
  ({
    description,
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    durability: 'derived',
    readModel: true,
  }) as const satisfies TableDeclaration;
