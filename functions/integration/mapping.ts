import { toDomainEvent, type DomainEvent } from '../domain-events';
import { integrationMappingsOf, type PublishedTypeOf } from '../eventsourcing/declaration';
import type { RecordedEvent } from '../eventsourcing';
import { contexts } from '../system';
import type { IntegrationEvent } from './contract';

/** The domain events the system publishes: those of every context that declares a mapping. */
export type PublishedEvent = Extract<DomainEvent, { type: PublishedTypeOf<typeof contexts> }>;
export type PublishedEventType = PublishedEvent['type'];

/**
 * The integration event of each published domain event type, from the contexts' modules: each
 * module maps every one of its event types or declares its events unpublished, so no event of
 * a published context reaches the publisher without a mapping.
 */
export const integrationMappings = integrationMappingsOf(contexts) as Readonly<
  Record<PublishedEventType, (event: PublishedEvent) => IntegrationEvent>
>;

/** Every domain event type the system publishes. */
export const PUBLISHED_EVENT_TYPES = Object.keys(integrationMappings) as PublishedEventType[];

/** The public integration event of a domain event (already upcast and checked). */
export function integrationEventOf(event: DomainEvent): IntegrationEvent {
  const map = (
    integrationMappings as Readonly<Record<string, (event: DomainEvent) => IntegrationEvent>>
  )[event.type];
  if (!map) throw new Error(`Events of type ${event.type} are not published`);
  return map(event);
}

/**
 * The public integration event of a stored domain event. Throws when the event cannot have one
 * (unknown type, data that does not fit its schema, no upcaster to its current version).
 */
export function toIntegrationEvent(event: RecordedEvent): IntegrationEvent {
  return integrationEventOf(toDomainEvent(event));
}
