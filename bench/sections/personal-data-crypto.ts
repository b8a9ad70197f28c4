import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { performance } from 'node:perf_hooks';
import { accountEvents } from '../../functions/accounts/events';
import type { EventStore, RecordedEvent } from '../../functions/eventsourcing';
import { itemBytes } from '../../functions/eventsourcing/item-size';
import type { PersonalData } from '../../functions/eventsourcing/personal';
import type { BenchEnvironment } from '../environment';
import type { PersonalDataSettings } from '../settings';
import { spread, type Spread } from '../stats';
import { EVENT_METADATA } from '../workload';
import { openedEvent, type PersonalSide } from './personal-data-events';

/** Bytes of the account-opened item as each side stores it. */
export type StoredSizes = Record<PersonalSide, number>;

/** Microseconds of CPU per event to seal its two personal fields, and to open them again. */
export interface InProcessCost {
  readonly events: number;
  readonly sealMicrosPerEvent: Spread;
  readonly revealMicrosPerEvent: Spread;
}

/** Appends one account-opened event for a fresh subject; returns its stream. */
async function openAccount(store: EventStore, serial: number): Promise<string> {
  const subject = `owner-${randomUUID().slice(0, 8)}`;
  const streamId = `account-${subject}`;
  await store.append(streamId, [openedEvent({ subject, streamId, serial })], {
    expectedVersion: 'no_stream',
    metadata: EVENT_METADATA,
  });
  return streamId;
}

/** The stored size of each side's item, the sealed one with its two envelopes. */
export async function storedSizes(
  env: BenchEnvironment,
  stores: Record<PersonalSide, EventStore>,
): Promise<StoredSizes> {
  const size = async (store: EventStore) => {
    const streamId = await openAccount(store, 1);
    const { Item } = await env.client.send(
      new GetItemCommand({
        TableName: env.tables.events,
        Key: { streamId: { S: streamId }, version: { N: '1' } },
      }),
    );
    if (!Item) throw new Error(`no event in ${streamId}`);
    return itemBytes(Item);
  };
  return { plain: await size(stores.plain), sealed: await size(stores.sealed) };
}

const microsPerEvent = async (events: number, body: (i: number) => Promise<unknown>) => {
  const started = performance.now();
  for (let i = 0; i < events; i++) await body(i);
  return ((performance.now() - started) * 1000) / events;
};

/**
 * AES-256-GCM on its own: `PersonalData.seal` and `reveal` of one event at a time with the
 * subject's key cached, no request sent; each run times `inProcessEvents` of each.
 */
export async function measureInProcess(
  store: EventStore,
  personalData: PersonalData,
  settings: PersonalDataSettings,
): Promise<InProcessCost> {
  const streamId = await openAccount(store, 2);
  const stored: RecordedEvent[] = [];
  for await (const { event } of store.iterateItems(streamId)) stored.push(event);
  const subject = stored[0]!.data.ownerId as string;
  const event = openedEvent({ subject, streamId, serial: 2 });
  const seals: number[] = [];
  const reveals: number[] = [];
  for (let run = 0; run < settings.inProcessRuns; run++) {
    seals.push(
      await microsPerEvent(settings.inProcessEvents, (i) =>
        personalData.seal(accountEvents.catalogue, { streamId, firstVersion: i + 2 }, [event]),
      ),
    );
    reveals.push(await microsPerEvent(settings.inProcessEvents, () => personalData.reveal(stored)));
  }
  return {
    events: settings.inProcessEvents,
    sealMicrosPerEvent: spread(seals),
    revealMicrosPerEvent: spread(reveals),
  };
}
