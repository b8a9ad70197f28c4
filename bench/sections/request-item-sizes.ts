import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { itemBytes } from '../../functions/eventsourcing/item-size';
import { seedCastoreAggregate } from '../castore';
import type { BenchEnvironment } from '../environment';
import { frameworkStores, seedStream } from '../seed';
import { requestStream } from './request-cases';

/** The sizes of the items section 2's minimums are computed from. */
export interface ItemSizes {
  /** Bytes of one deposit event item as the framework stores it. */
  readonly event: number;
  /** Bytes of one deposit event item as Castore stores it. */
  readonly castoreEvent: number;
  /** Bytes of the account snapshot item. */
  readonly snapshot: number;
}

async function storedItemBytes(
  env: BenchEnvironment,
  tableName: string,
  key: Record<string, AttributeValue>,
): Promise<number> {
  const { Item } = await env.client.send(new GetItemCommand({ TableName: tableName, Key: key }));
  if (!Item) throw new Error(`no item at ${JSON.stringify(key)} in ${tableName}`);
  return itemBytes(Item);
}

/** Item sizes as stored; run after the cases, whose snapshot it measures. */
export async function itemSizes(env: BenchEnvironment): Promise<ItemSizes> {
  const { store, snapshotStore } = frameworkStores(env.client, env.tables);
  await seedStream(store, 'requests-sizes', 1);
  await seedCastoreAggregate(env.castore, 'requests-sizes', 2);
  const snapshot = await snapshotStore.get(requestStream('load-snapshot', 0));
  if (!snapshot) throw new Error('the snapshot case left no snapshot');
  return {
    event: await storedItemBytes(env, env.tables.events, {
      streamId: { S: 'requests-sizes' },
      version: { N: '1' },
    }),
    // Version 2: Castore's first event also carries the index attribute.
    castoreEvent: await storedItemBytes(env, env.castoreTable, {
      aggregateId: { S: 'accounts#requests-sizes' },
      version: { N: '2' },
    }),
    snapshot: itemBytes(marshall(snapshot, { removeUndefinedValues: true })),
  };
}
