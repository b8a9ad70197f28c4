import { accountEvents } from '../../functions/accounts/events';
import type { NewEvent, RecordedEvent } from '../../functions/eventsourcing';
import type {
  PublishedEvent as DomainEvent,
  PublishedEventType as DomainEventType,
} from '../../functions/integration/mapping';
import { orderEvents } from '../../functions/orders/events';
import { transferEvents } from '../../functions/transfers/events';

type DataOf<Type extends DomainEventType> = Extract<DomainEvent, { type: Type }>['data'];

/**
 * Valid data for every published domain event type. Typed over all of them, so a new published
 * event type needs a sample here before the tests compile (a context whose events are not
 * published needs none).
 */
export const sampleData: { readonly [Type in DomainEventType]: DataOf<Type> } = {
  AccountOpened: { ownerId: 'owner-1', accountType: 'savings', currency: 'USD' },
  MoneyDeposited: { amount: 2500, source: 'salary', transferId: 'tr-1' },
  MoneyWithdrawn: { amount: 700, destination: 'rent' },
  AccountClosed: {},
  OrderCreated: { customerId: 'customer-1' },
  OrderItemAdded: { productId: 'book-1', quantity: 2, unitPrice: 1299 },
  OrderConfirmed: {
    total: 2598,
    customerId: 'customer-1',
    lines: [{ productId: 'book-1', quantity: 2 }],
  },
  OrderPaymentSubmitted: { accountId: 'acc-a' },
  OrderPaid: { accountId: 'acc-a', amount: 2598 },
  OrderShipped: { carrier: 'DHL', trackingNumber: 'TRK-1' },
  OrderDelivered: {},
  OrderCancelled: { reason: 'changed my mind' },
  TransferPosted: { fromAccountId: 'acc-a', toAccountId: 'acc-b', amount: 300 },
  TransferRequested: { fromAccountId: 'acc-a', toAccountId: 'acc-b', amount: 300 },
  TransferDebited: {},
  TransferCompleted: {},
  TransferFailed: { reason: 'InsufficientFunds', message: 'Balance too low', refunded: false },
};

export const DOMAIN_EVENT_TYPES = Object.keys(sampleData) as DomainEventType[];

/** The aggregate each domain event type belongs to, and the stream of aggregate `id`. */
export function streamOf(type: DomainEventType, id: string): string {
  for (const events of [accountEvents, orderEvents, transferEvents]) {
    if ((events.types as readonly string[]).includes(type)) return events.streamId(id);
  }
  throw new Error(`No domain has event type ${type}`);
}

/** A new domain event with the sample data of its type, or the data given. */
export const newEvent = (type: DomainEventType, data: object = sampleData[type]): NewEvent => ({
  type,
  data: { ...data },
});

let version = 0;

/** A recorded domain event as the events table holds it. */
export function recordedEvent<Type extends DomainEventType>(
  type: Type,
  overrides: Partial<RecordedEvent> = {},
): RecordedEvent {
  version += 1;
  return {
    streamId: streamOf(type, 'agg-1'),
    version,
    eventId: `01J000000000000000000${String(version).padStart(5, '0')}`,
    type,
    schemaVersion: 1,
    data: { ...sampleData[type] },
    metadata: {},
    recordedAt: `2026-03-04T05:06:07.${String(version % 1000).padStart(3, '0')}Z`,
    ...overrides,
  };
}
