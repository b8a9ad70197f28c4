import {
  accountEventSchemas,
  accountIdOf,
  accountUpcasters,
  parseAccountEvent,
  type RecordedAccountEvent,
} from '../accounts/events';
import type { RecordedEvent, Upcasters } from '../eventsourcing';
import type { EventSchemas } from '../eventsourcing/event-schemas';
import {
  orderEventSchemas,
  orderIdOf,
  orderUpcasters,
  parseOrderEvent,
  type RecordedOrderEvent,
} from '../orders/events';
import {
  parseTransferEvent,
  transferEventSchemas,
  transferIdOf,
  transferUpcasters,
  type RecordedTransferEvent,
} from '../transfers/events';
import {
  detailSchema,
  integrationSources,
  type DetailTypeOf,
  type IntegrationData,
  type IntegrationEvent,
  type IntegrationSourceKey,
} from './contract';

/** Every domain event the system records, at its current schema version. */
export type DomainEvent = RecordedAccountEvent | RecordedOrderEvent | RecordedTransferEvent;
export type DomainEventType = DomainEvent['type'];
type DomainEventOf<Type extends DomainEventType> = Extract<DomainEvent, { type: Type }>;

/** The domain event's type is not one the system knows, so it has no integration event. */
export class UnknownEventTypeError extends Error {
  readonly code = 'UnknownEventType';
  constructor(readonly eventType: string) {
    super(`No integration event is defined for domain event type '${eventType}'`);
    this.name = 'UnknownEventTypeError';
  }
}

/** Builds the integration events of one source, whose aggregate id is `idField`. */
function eventsFrom<Source extends IntegrationSourceKey>(
  source: Source,
  idField: string,
  idOf: (streamId: string) => string,
) {
  return <Type extends DetailTypeOf<Source>>(
    event: RecordedEvent,
    detailType: Type,
    data: IntegrationData<Source, Type>,
  ): IntegrationEvent => {
    const detail: unknown = {
      id: event.eventId,
      schemaVersion: 1,
      occurredAt: event.recordedAt,
      sequence: event.version,
      ...(typeof event.metadata.correlationId === 'string'
        ? { correlationId: event.metadata.correlationId }
        : {}),
      [idField]: idOf(event.streamId),
      data,
    };
    // The types already hold every field; parsing also refuses what they cannot see (an extra
    // field spread in, an empty id), so nothing outside the contract is ever published.
    return {
      source: integrationSources[source],
      detailType,
      detail: detailSchema(source, detailType).parse(detail),
    } as IntegrationEvent;
  };
}

const account = eventsFrom('accounts', 'accountId', accountIdOf);
const order = eventsFrom('orders', 'orderId', orderIdOf);
const transfer = eventsFrom('transfers', 'transferId', transferIdOf);

const withTransfer = (transferId: string | undefined) => (transferId ? { transferId } : {});

/**
 * The integration event of each domain event type. The type requires an entry for every
 * domain event type, so adding one to a domain without deciding what it publishes fails the
 * typecheck.
 */
export const integrationMappings: {
  readonly [Type in DomainEventType]: (event: DomainEventOf<Type>) => IntegrationEvent;
} = {
  AccountOpened: (event) =>
    account(event, 'AccountOpened.v1', {
      ownerId: event.data.ownerId,
      accountType: event.data.accountType,
      currency: event.data.currency,
    }),
  MoneyDeposited: (event) =>
    account(event, 'MoneyDeposited.v1', {
      amount: event.data.amount,
      ...withTransfer(event.data.transferId),
    }),
  MoneyWithdrawn: (event) =>
    account(event, 'MoneyWithdrawn.v1', {
      amount: event.data.amount,
      ...withTransfer(event.data.transferId),
    }),
  AccountClosed: (event) => account(event, 'AccountClosed.v1', {}),

  OrderCreated: (event) => order(event, 'OrderCreated.v1', { customerId: event.data.customerId }),
  OrderItemAdded: (event) =>
    order(event, 'OrderItemAdded.v1', {
      productId: event.data.productId,
      quantity: event.data.quantity,
      unitPrice: event.data.unitPrice,
    }),
  OrderConfirmed: (event) => order(event, 'OrderConfirmed.v1', { total: event.data.total }),
  OrderShipped: (event) =>
    order(event, 'OrderShipped.v1', {
      carrier: event.data.carrier,
      trackingNumber: event.data.trackingNumber,
    }),
  OrderDelivered: (event) => order(event, 'OrderDelivered.v1', {}),
  OrderCancelled: (event) => order(event, 'OrderCancelled.v1', { reason: event.data.reason }),

  TransferRequested: (event) =>
    transfer(event, 'TransferRequested.v1', {
      fromAccountId: event.data.fromAccountId,
      toAccountId: event.data.toAccountId,
      amount: event.data.amount,
    }),
  TransferDebited: (event) => transfer(event, 'TransferDebited.v1', {}),
  TransferCompleted: (event) => transfer(event, 'TransferCompleted.v1', {}),
  TransferFailed: (event) =>
    transfer(event, 'TransferFailed.v1', {
      reason: event.data.reason,
      message: event.data.message,
      refunded: event.data.refunded,
    }),
};

/** The domains whose events are published: their event types, upcasters and parsers. */
const domains: readonly {
  readonly schemas: EventSchemas;
  readonly upcasters: Upcasters;
  readonly parse: (event: RecordedEvent) => DomainEvent;
}[] = [
  { schemas: accountEventSchemas, upcasters: accountUpcasters, parse: parseAccountEvent },
  { schemas: orderEventSchemas, upcasters: orderUpcasters, parse: parseOrderEvent },
  { schemas: transferEventSchemas, upcasters: transferUpcasters, parse: parseTransferEvent },
];

/** Upcasts a stored event to its current schema version and checks its data against it. */
export function toDomainEvent(event: RecordedEvent): DomainEvent {
  const domain = domains.find(({ schemas }) => Object.hasOwn(schemas, event.type));
  if (!domain) throw new UnknownEventTypeError(event.type);
  return domain.parse(domain.upcasters.upcast(event));
}

/**
 * The public integration event of a stored domain event. Throws when the event cannot have one
 * (unknown type, data that does not fit its schema, no upcaster to its current version).
 */
export function toIntegrationEvent(event: RecordedEvent): IntegrationEvent {
  const domainEvent = toDomainEvent(event);
  const map = integrationMappings[domainEvent.type] as (event: DomainEvent) => IntegrationEvent;
  return map(domainEvent);
}
