import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command, EventStore, EventType, tuple, type EventDetail } from '@castore/core';
import {
  DynamoDBSingleTableEventStorageAdapter,
  EVENT_TABLE_EVENT_STORE_ID_KEY,
  EVENT_TABLE_INITIAL_EVENT_INDEX_NAME,
  EVENT_TABLE_PK,
  EVENT_TABLE_SK,
  EVENT_TABLE_TIMESTAMP_KEY,
} from '@castore/event-storage-adapter-dynamodb';
import type { EventMetadata } from '../functions/eventsourcing';
import { EVENT_METADATA, accountEvolve, depositData, type DepositData } from './workload';

/**
 * The peer: Castore's event store on its DynamoDB single-table adapter, set up as its README
 * prescribes, holding the same deposits as the framework's benchmarks.
 */

const deposited = new EventType<'Deposited', DepositData, EventMetadata>({ type: 'Deposited' });

export interface CastoreAccount {
  readonly aggregateId: string;
  readonly version: number;
  readonly balance: number;
  readonly deposits: number;
}

type DepositedDetail = EventDetail<'Deposited', DepositData, EventMetadata>;

const reducer = (account: CastoreAccount | undefined, event: DepositedDetail): CastoreAccount => ({
  aggregateId: event.aggregateId,
  version: event.version,
  ...accountEvolve(account ?? { balance: 0, deposits: 0 }, event.payload),
});

/**
 * The adapter's table: `aggregateId`/`version` keys and the `initialEvents` index over
 * `eventStoreId`/`timestamp` (only first events carry `eventStoreId`). The stream is enabled like
 * the framework's events table so both pay for it.
 */
export function castoreTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: EVENT_TABLE_PK, KeyType: 'HASH' },
      { AttributeName: EVENT_TABLE_SK, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: EVENT_TABLE_PK, AttributeType: 'S' },
      { AttributeName: EVENT_TABLE_SK, AttributeType: 'N' },
      { AttributeName: EVENT_TABLE_EVENT_STORE_ID_KEY, AttributeType: 'S' },
      { AttributeName: EVENT_TABLE_TIMESTAMP_KEY, AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: EVENT_TABLE_INITIAL_EVENT_INDEX_NAME,
        KeySchema: [
          { AttributeName: EVENT_TABLE_EVENT_STORE_ID_KEY, KeyType: 'HASH' },
          { AttributeName: EVENT_TABLE_TIMESTAMP_KEY, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}

export function castoreAccounts(client: DynamoDBClient, tableName: string) {
  return new EventStore({
    eventStoreId: 'accounts',
    eventTypes: [deposited],
    reducer,
    eventStorageAdapter: new DynamoDBSingleTableEventStorageAdapter({
      tableName,
      dynamoDBClient: client,
    }),
  });
}

export type CastoreAccounts = ReturnType<typeof castoreAccounts>;

export const castoreDeposit = (aggregateId: string, version: number, amount: number) => ({
  aggregateId,
  version,
  type: 'Deposited' as const,
  payload: depositData(amount),
  metadata: EVENT_METADATA,
});

/**
 * Castore's command path: a `Command` whose handler gets the aggregate and pushes the next event
 * (Castore retries a handler whose version was taken, two times by default).
 */
export function castoreDepositCommand(accounts: CastoreAccounts) {
  return new Command({
    commandId: 'DEPOSIT',
    requiredEventStores: tuple(accounts),
    handler: async (input: { aggregateId: string; amount: number }, [store]) => {
      const { aggregate } = await store.getAggregate(input.aggregateId);
      const { nextAggregate } = await store.pushEvent(
        castoreDeposit(input.aggregateId, (aggregate?.version ?? 0) + 1, input.amount),
        { prevAggregate: aggregate },
      );
      return nextAggregate;
    },
  });
}

/** Writes `count` deposits to a new aggregate, 100 per transaction (Castore's event groups). */
export async function seedCastoreAggregate(
  accounts: CastoreAccounts,
  aggregateId: string,
  count: number,
): Promise<void> {
  for (let first = 1; first <= count; first += 100) {
    const last = Math.min(count, first + 99);
    const [head, ...rest] = Array.from({ length: last - first + 1 }, (_, i) =>
      accounts.groupEvent(castoreDeposit(aggregateId, first + i, 100)),
    );
    await EventStore.pushEventGroup({}, head!, ...rest);
  }
}
