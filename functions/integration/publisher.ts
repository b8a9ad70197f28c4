import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '../domain-events';
import { ReactionFailedAt, eventLogKeys, logger, type Reaction } from '../eventsourcing';
import type { IntegrationEvent } from './contract';
import { PUBLISHED_EVENT_TYPES, integrationEventOf } from './mapping';
import {
  EntryTooLargeError,
  MAX_CALL_BYTES,
  PutEventsFailedError,
  entryBytes,
  putEventsReliably,
  type PutEventsRetry,
} from './put-events';

export interface IntegrationEventPublisherOptions {
  readonly client: EventBridgeClient;
  readonly eventBusName: string;
  /** Attempts at the entries EventBridge refuses, within one call. */
  readonly retry?: PutEventsRetry;
}

/** The PutEvents entry of an integration event. */
export function toPutEventsEntry(
  event: IntegrationEvent,
  eventBusName: string,
): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: event.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Time: new Date(event.detail.occurredAt),
  };
}

/** The entry of a domain event, or why it can never be one. */
function entryOf(event: DomainEvent, eventBusName: string): PutEventsRequestEntry {
  const entry = toPutEventsEntry(integrationEventOf(event), eventBusName);
  const size = entryBytes(entry);
  if (size > MAX_CALL_BYTES) throw new EntryTooLargeError(entry, size);
  return entry;
}

/** One debug line per event EventBridge took, with the request it came from. */
function logPublished(
  events: readonly DomainEvent[],
  entries: readonly PutEventsRequestEntry[],
  refused: ReadonlySet<PutEventsRequestEntry> = new Set(),
): void {
  entries.forEach((entry, index) => {
    if (refused.has(entry)) return;
    logger.debug('Integration event published', {
      ...eventLogKeys(events[index]!),
      detailType: entry.DetailType,
    });
  });
}

/**
 * The integration-event publisher, a reaction to every domain event: maps each to its public
 * integration event and sends a stream's events with PutEvents, retrying the entries EventBridge
 * refuses. Delivery is at least once: an entry is only ever sent again with its source event's
 * id, so consumers deduplicate.
 *
 * An event that cannot be published (data its integration event refuses, an entry over
 * EventBridge's size limit) or that EventBridge keeps refusing fails the reaction at that event,
 * after the events before it are published: the host records the reason and, failing again,
 * parks the stream for the publisher until a redrive.
 */
export function integrationEventPublisher(
  connect: () => IntegrationEventPublisherOptions,
): Reaction<DomainEvent> {
  return {
    name: 'integration-publisher',
    handles: PUBLISHED_EVENT_TYPES,
    async react(events) {
      const { client, eventBusName, retry } = connect();
      const entries: PutEventsRequestEntry[] = [];
      let unpublishable: ReactionFailedAt | undefined;
      for (const event of events) {
        try {
          entries.push(entryOf(event, eventBusName));
        } catch (error) {
          unpublishable = new ReactionFailedAt(event, error);
          break;
        }
      }
      try {
        await putEventsReliably(client, entries, retry);
        logPublished(events, entries);
      } catch (error) {
        if (!(error instanceof PutEventsFailedError)) throw error;
        const refused = new Set(error.failed.map(({ entry }) => entry));
        logPublished(events, entries, refused);
        const first = entries.findIndex((entry) => refused.has(entry));
        throw new ReactionFailedAt(events[first]!, error);
      }
      if (unpublishable) throw unpublishable;
    },
  };
}
