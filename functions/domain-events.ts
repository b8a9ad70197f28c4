import { EventCatalogue } from './eventsourcing';
import type { EventOfContexts } from './eventsourcing/declaration';
import { contexts } from './system';

/**
 * Every event type the system stores, with its schema and upcasters: the catalogue for code that
 * reads events of every context (stream consumers, operator tools).
 */
export const domainEvents = EventCatalogue.combine(...contexts.map((context) => context.events));

/** Every domain event the system records, at its current schema version. */
export type DomainEvent = EventOfContexts<typeof contexts>;

/**
 * Upcasts a stored event to its current schema version and checks its data against it: what
 * stream consumers and the integration mapping receive. Throws `CorruptEventError` (an unknown
 * type included) when it cannot.
 */
export const toDomainEvent = (event: Parameters<typeof domainEvents.parse>[0]): DomainEvent =>
  domainEvents.parse(event);
