import {
  accountEventSchemas,
  accountUpcasters,
  parseAccountEvent,
  type RecordedAccountEvent,
} from './accounts/events';
import type { RecordedEvent, Upcasters } from './eventsourcing';
import type { EventSchemas } from './eventsourcing/event-schemas';
import {
  orderEventSchemas,
  orderUpcasters,
  parseOrderEvent,
  type RecordedOrderEvent,
} from './orders/events';
import {
  parseTransferEvent,
  transferEventSchemas,
  transferUpcasters,
  type RecordedTransferEvent,
} from './transfers/events';

/** Every domain event the system records, at its current schema version. */
export type DomainEvent = RecordedAccountEvent | RecordedOrderEvent | RecordedTransferEvent;
export type DomainEventType = DomainEvent['type'];

/** The event's type belongs to no domain of the system. */
export class UnknownEventTypeError extends Error {
  readonly code = 'UnknownEventType';
  constructor(readonly eventType: string) {
    super(`No domain of the system defines event type '${eventType}'`);
    this.name = 'UnknownEventTypeError';
  }
}

/** Every domain: its event types, upcasters and parsers. */
const domains: readonly {
  readonly schemas: EventSchemas;
  readonly upcasters: Upcasters;
  readonly parse: (event: RecordedEvent) => DomainEvent;
}[] = [
  { schemas: accountEventSchemas, upcasters: accountUpcasters, parse: parseAccountEvent },
  { schemas: orderEventSchemas, upcasters: orderUpcasters, parse: parseOrderEvent },
  { schemas: transferEventSchemas, upcasters: transferUpcasters, parse: parseTransferEvent },
];

/** Every event type of every domain. */
export const DOMAIN_EVENT_TYPES = domains.flatMap(({ schemas }) =>
  Object.keys(schemas),
) as DomainEventType[];

/**
 * Upcasts a stored event to its current schema version and checks its data against it: what
 * stream consumers and the integration mapping receive. Throws when it cannot.
 */
export function toDomainEvent(event: RecordedEvent): DomainEvent {
  const domain = domains.find(({ schemas }) => Object.hasOwn(schemas, event.type));
  if (!domain) throw new UnknownEventTypeError(event.type);
  return domain.parse(domain.upcasters.upcast(event));
}
