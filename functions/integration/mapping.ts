import { accountIdOf } from '../accounts/events';
import { toDomainEvent, type DomainEvent, type DomainEventType } from '../domain-events';
import type { RecordedEvent } from '../eventsourcing';
import { orderIdOf } from '../orders/events';
import { transferIdOf } from '../transfers/events';
import {
  detailSchema,
  integrationSources,
  type DetailTypeOf,
  type IntegrationData,
  type IntegrationEvent,
  type IntegrationSourceKey,
} from './contract';

type DomainEventOf<Type extends DomainEventType> = Extract<DomainEvent, { type: Type }>;

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

/** The public integration event of a domain event (already upcast and checked). */
export function integrationEventOf(event: DomainEvent): IntegrationEvent {
  const map = integrationMappings[event.type] as (event: DomainEvent) => IntegrationEvent;
  return map(event);
}

/**
 * The public integration event of a stored domain event. Throws when the event cannot have one
 * (unknown type, data that does not fit its schema, no upcaster to its current version).
 */
export function toIntegrationEvent(event: RecordedEvent): IntegrationEvent {
  return integrationEventOf(toDomainEvent(event));
}
