import { EventCatalogue } from './eventsourcing';
import { erasureEvents } from './eventsourcing/personal';
import { processEvents } from './eventsourcing/process-manager';
import type { EventOfContexts } from './eventsourcing/declaration';
import { contexts } from './system';

/**
 * Every event type the system stores, with its schema, upcasters and personal fields: the
 * catalogue for code that reads events of every context (stream consumers, operator tools),
 * the erasure ledger's included.
 */
export const domainEvents = EventCatalogue.combine(
  ...contexts.map((context) => context.events),
  erasureEvents.catalogue,
  processEvents.catalogue,
);

/** Every domain event the system records, at its current schema version (and erasures, processes' records). */
export type DomainEvent =
  | EventOfContexts<typeof contexts>
  | ReturnType<typeof erasureEvents.parse>
  | ReturnType<typeof processEvents.parse>;

/**
 * Upcasts a stored event to its current schema version and checks its data against it: what
 * stream consumers and the integration mapping receive. Throws `CorruptEventError` (an unknown
 * type included) when it cannot.
 */
export const toDomainEvent = (event: Parameters<typeof domainEvents.parse>[0]): DomainEvent =>
  domainEvents.parse(event);
