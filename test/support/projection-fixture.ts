import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { eventItem } from '../../functions/eventsourcing/event-items';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';
import {
  createConsumerHost,
  type ConsumerHost,
  type ConsumerHostOptions,
  type ProjectionRuntime,
  type ProjectionTables,
} from '../../functions/eventsourcing/hosts';
import type { EventStore, Reaction, RecordedEvent } from '../../functions/eventsourcing';
import {
  balanceProjection,
  createReadModelTable,
  type AccountHistory,
  type BalanceProjectionOptions,
} from './balance-projection';
import { createTestTables, type TestTables } from './dynamodb';

export interface ProjectionTestTables extends TestTables {
  readonly projectionTables: ProjectionTables;
}

/** Declared tables under a fresh prefix plus a test-only read-model table. */
export async function createProjectionTestTables(): Promise<ProjectionTestTables> {
  const tables = await createTestTables();
  const readModel = await createReadModelTable(tables.client);
  return {
    ...tables,
    projectionTables: {
      events: tables.names.events,
      readModel,
      parkedStreams: tables.names.parkedStreams,
    },
  };
}

/** A consumer host of the test-only balances projection alone, with its runtime. */
export type BalanceHandler = ConsumerHost & { readonly runtime: () => ProjectionRuntime };

/** A consumer host running the test-only balances projection, on the given test tables. */
export function balanceHandler(
  tables: ProjectionTestTables,
  projection: BalanceProjectionOptions = {},
  options: Omit<ConsumerHostOptions, 'client' | 'tables' | 'consumers'> = {},
): BalanceHandler {
  const consumer = balanceProjection(projection);
  const host = createConsumerHost({
    consumers: [consumer],
    client: tables.client,
    tables: {
      events: tables.projectionTables.events,
      parkedStreams: tables.projectionTables.parkedStreams,
      readModels: { [consumer.readModel]: tables.projectionTables.readModel },
    },
    ...options,
  });
  return Object.assign(host, {
    runtime: () => host.runtimes().get(consumer.name) as ProjectionRuntime,
  });
}

/** A consumer host running the given reactions on the declared tables of a test run. */
export function reactionHost(
  tables: TestTables,
  reactions: readonly Reaction[],
  options: Omit<ConsumerHostOptions, 'client' | 'tables' | 'consumers'> = {},
): ConsumerHost {
  return createConsumerHost({
    consumers: reactions,
    client: tables.client,
    tables: {
      events: tables.names.events,
      parkedStreams: tables.names.parkedStreams,
      reactionPositions: tables.names.reactionPositions,
    },
    ...options,
  });
}

let sequence = 1000;

/** A stream record of an inserted event item, shaped as Lambda delivers it. */
export function insertRecord(event: RecordedEvent, eventSourceARN = 'arn:test'): DynamoDBRecord {
  return imageRecord(eventItem(event), eventSourceARN);
}

/** A stream record of an inserted item (without binaries), shaped as Lambda delivers it. */
export function imageRecord(
  item: Record<string, AttributeValue>,
  eventSourceARN = 'arn:test',
): DynamoDBRecord {
  const image = item as Record<string, LambdaAttributeValue>;
  return {
    eventID: `e${sequence}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'local',
    eventSourceARN,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: { streamId: image.streamId!, version: image.version! },
      NewImage: image,
      SequenceNumber: String(sequence++).padStart(21, '0'),
      SizeBytes: JSON.stringify(image).length,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/**
 * Appends histories in chunks of 1 to `maxChunk` events (one append each), streams side by
 * side.
 */
export async function appendHistories(
  store: EventStore,
  histories: readonly AccountHistory[],
  random: () => number,
  options: { maxChunk?: number } = {},
): Promise<RecordedEvent[]> {
  const maxChunk = options.maxChunk ?? 100;
  const recorded: RecordedEvent[] = [];
  let next = 0;
  const worker = async () => {
    while (next < histories.length) {
      const history = histories[next++]!;
      for (let start = 0; start < history.events.length;) {
        const size = 1 + Math.floor(random() * maxChunk);
        const result = await store.append(
          history.streamId,
          history.events.slice(start, start + size),
          {
            expectedVersion: start,
          },
        );
        recorded.push(...result.events);
        start += size;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return recorded;
}

/** The items of one generation of a projection, keyed `pk|sk`, without their keys. */
export async function generationItems(
  client: DynamoDBClient,
  tableName: string,
  projection: string,
  generation: number,
): Promise<Map<string, object>> {
  const prefix = `${projection}#${generation}#`;
  const items = new Map<string, object>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const raw of page.Items ?? []) {
      const { pk, sk, ...attributes } = unmarshall(raw);
      if ((pk as string).startsWith(prefix)) {
        items.set(`${(pk as string).slice(prefix.length)}|${sk as string}`, attributes);
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
