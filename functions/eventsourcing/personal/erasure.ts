import {
  DeleteItemCommand,
  paginateScan,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailed } from '../conditional-writes.js';
import { ConcurrencyError } from '../errors.js';
import type { EventCatalogue } from '../event-catalogue.js';
import { EventStore } from '../event-store.js';
import type { RecordedEvent } from '../types.js';
import type { DynamoDbSubjectKeys } from './dynamodb-subject-keys.js';
import { isSealedValue } from './envelope.js';
import { erasureEvents } from './erasure-events.js';
import { replace, walk } from './personal-data.js';

/** Who asks to erase whom, and why. */
export interface ErasureRequest {
  readonly subject: string;
  readonly requestedBy: string;
  readonly reason: string;
}

/** An event that holds a subject's personal data in clear: written before it was encrypted. */
export interface ClearEvent {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly fields: readonly string[];
}

/** What an erasure touched. */
export interface ErasureReport {
  readonly subject: string;
  /** When the erasure was recorded (the first time, for a repeated request). */
  readonly erasedAt: string;
  /** Whether the ledger already recorded it: this run re-applied it. */
  readonly repeated: boolean;
  /** The streams holding the subject's sealed values, now unreadable. */
  readonly streams: readonly string[];
  /** Events whose sealed values now read as their replacements. */
  readonly events: number;
  /** Events holding the subject's personal data in clear, which no key can erase. */
  readonly clearEvents: readonly ClearEvent[];
  /** Read-model items whose sealed values of the subject were replaced, by table. */
  readonly readModelItems: Readonly<Record<string, number>>;
  /** Snapshots of the subject's streams, dropped (the next load rebuilds them). */
  readonly snapshots: number;
}

export interface SubjectErasureOptions {
  readonly client: DynamoDBClient;
  /** Destroys a subject's key, answering the streams it sealed values in. */
  readonly keys: Pick<DynamoDbSubjectKeys, 'destroy'>;
  /** Every personal field of every event type (the system's combined catalogue). */
  readonly catalogue: Pick<EventCatalogue, 'personal'>;
  readonly tables: {
    readonly events: string;
    readonly snapshots: string;
    /** Every read-model table, by logical name. */
    readonly readModels: Readonly<Record<string, string>>;
  };
}

type Item = Record<string, AttributeValue>;

/** Whether `value` holds a sealed value of the subject, at any depth. */
const holdsSubject = (value: unknown, subject: string): boolean => {
  let found = false;
  walk(value, (sealed) => {
    found ||= sealed.$sealed.s === subject;
  });
  return found;
};

/** `value` with the subject's sealed values replaced by their declared replacements. */
const scrubbed = (value: unknown, subject: string): unknown =>
  replace(value, (sealed) => (sealed.$sealed.s === subject ? sealed.$sealed.r : sealed));

/**
 * Erases a data subject (crypto-shredding): records the erasure in the ledger first, then
 * destroys the subject's data key, drops the snapshots of its streams and replaces its sealed
 * values in every read model; answers with what it touched. Events are never changed: their
 * sealed values stay as stored (so history keeps verifying) and read as their replacements.
 * Running it again for an erased subject re-applies every step (after a restore of the keys
 * table, for instance) and reports the first erasure's time.
 */
export class SubjectErasure {
  private readonly ledger: EventStore<ReturnType<typeof erasureEvents.parse>>;
  private readonly raw: EventStore;

  constructor(private readonly options: SubjectErasureOptions) {
    const { client, tables } = options;
    this.ledger = new EventStore({
      client,
      tableName: tables.events,
      catalogue: erasureEvents.catalogue,
    });
    this.raw = new EventStore({ client, tableName: tables.events });
  }

  async erase(request: ErasureRequest): Promise<ErasureReport> {
    const { erasedAt, repeated } = await this.record(request);
    const { subject } = request;
    const streams = [...(await this.options.keys.destroy(subject, erasedAt))].sort();
    const [events, clearEvents, readModelItems, snapshots] = await Promise.all([
      this.sealedEvents(subject, streams),
      this.clearEvents(subject),
      this.scrubReadModels(subject),
      this.dropSnapshots(streams),
    ]);
    return { subject, erasedAt, repeated, streams, events, clearEvents, readModelItems, snapshots };
  }

  /** Writes the ledger's entry, or finds the one an earlier request wrote. */
  private async record(request: ErasureRequest) {
    const streamId = erasureEvents.streamId(request.subject);
    try {
      const { events } = await this.ledger.append(
        streamId,
        [
          {
            type: 'SubjectErased',
            data: {
              subject: request.subject,
              requestedBy: request.requestedBy,
              reason: request.reason,
            },
          },
        ],
        { expectedVersion: 'no_stream' },
      );
      return { erasedAt: events[0]!.recordedAt, repeated: false };
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      const [first] = await this.ledger.read(streamId, { toVersion: 1 });
      return { erasedAt: first!.recordedAt, repeated: true };
    }
  }

  /** How many events of these streams hold sealed values of the subject. */
  private async sealedEvents(subject: string, streams: readonly string[]): Promise<number> {
    const counts = await Promise.all(
      streams.map(async (streamId) => {
        let count = 0;
        for await (const { event } of this.raw.iterateItems(streamId)) {
          if (holdsSubject(event.data, subject)) count++;
        }
        return count;
      }),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /**
   * Events of personal types naming the subject whose personal fields are in clear: a scan of
   * the events table for those types (the price of history written before encryption).
   */
  private async clearEvents(subject: string): Promise<ClearEvent[]> {
    const personal = this.options.catalogue.personal;
    if (personal.size === 0) return [];
    const types = [...personal.keys()];
    const found: ClearEvent[] = [];
    const pages = paginateScan(
      { client: this.options.client },
      {
        TableName: this.options.tables.events,
        FilterExpression: `#type IN (${types.map((_, index) => `:t${index}`).join(', ')})`,
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: marshall(
          Object.fromEntries(types.map((type, index) => [`:t${index}`, type])),
        ),
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const event = unmarshall(item) as RecordedEvent;
        const fields = personal.get(event.type)!;
        if (event.data[fields.subject] !== subject) continue;
        const clear = Object.keys(fields.fields).filter(
          (field) => event.data[field] !== undefined && !isSealedValue(event.data[field]),
        );
        if (clear.length > 0) {
          found.push({
            streamId: event.streamId,
            version: event.version,
            type: event.type,
            fields: clear,
          });
        }
      }
    }
    return found;
  }

  /** Replaces the subject's sealed values in every read model; the count per table. */
  private async scrubReadModels(subject: string): Promise<Record<string, number>> {
    const entries = await Promise.all(
      Object.entries(this.options.tables.readModels).map(
        async ([readModel, table]): Promise<[string, number]> => [
          readModel,
          await this.scrubTable(table, subject),
        ],
      ),
    );
    return Object.fromEntries(entries);
  }

  private async scrubTable(table: string, subject: string): Promise<number> {
    let scrubbedItems = 0;
    for await (const page of paginateScan({ client: this.options.client }, { TableName: table })) {
      for (const item of page.Items ?? []) {
        if (await this.scrubItem(table, item, subject)) scrubbedItems++;
      }
    }
    return scrubbedItems;
  }

  /**
   * Replaces each attribute holding the subject's sealed values, on condition that it is
   * unchanged: a projection that wrote the item meanwhile wrote sealed values again, which
   * the destroyed key no longer opens.
   */
  private async scrubItem(table: string, item: Item, subject: string): Promise<boolean> {
    const plain = unmarshall(item);
    const attributes = Object.keys(plain).filter((name) => holdsSubject(plain[name], subject));
    if (attributes.length === 0) return false;
    const names = Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name]));
    const values: Item = {};
    attributes.forEach((name, index) => {
      values[`:new${index}`] = marshall(
        { v: scrubbed(plain[name], subject) },
        {
          removeUndefinedValues: true,
        },
      ).v ?? { NULL: true };
      values[`:old${index}`] = item[name]!;
    });
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: item.pk!, sk: item.sk! },
          UpdateExpression: `SET ${attributes.map((_, index) => `#a${index} = :new${index}`).join(', ')}`,
          ConditionExpression: attributes
            .map((_, index) => `#a${index} = :old${index}`)
            .join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Drops the snapshots of the subject's streams; how many there were. */
  private async dropSnapshots(streams: readonly string[]): Promise<number> {
    const dropped = await Promise.all(
      streams.map(async (streamId) => {
        const { Attributes } = await this.options.client.send(
          new DeleteItemCommand({
            TableName: this.options.tables.snapshots,
            Key: { streamId: { S: streamId } },
            ReturnValues: 'ALL_OLD',
          }),
        );
        return Attributes ? 1 : 0;
      }),
    );
    return dropped.reduce<number>((sum, count) => sum + count, 0);
  }
}
