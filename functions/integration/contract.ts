import * as z from 'zod';

/**
 * The public contract of the integration events this system publishes to EventBridge: what
 * other systems may rely on. It is deliberately not the shape of the domain events (those may
 * change with an upcaster at any time); each domain event is mapped to one of these explicitly
 * (`mapping.ts`). A change that could break a consumer is a new version (`OrderShipped.v2`,
 * published next to v1 for as long as consumers need it), never an edit of an existing one.
 *
 * Every event is an EventBridge entry with
 * - `Source`: `eventsourcing.accounts`, `eventsourcing.orders` or `eventsourcing.transfers`;
 * - `DetailType`: `<Name>.v<schemaVersion>`, e.g. `AccountOpened.v1`;
 * - `Time`: when the domain event was recorded;
 * - `Detail`: the envelope below with the aggregate's id and the event's public `data`.
 */

export const INTEGRATION_SOURCE_PREFIX = 'eventsourcing';

export const integrationSources = {
  accounts: `${INTEGRATION_SOURCE_PREFIX}.accounts`,
  orders: `${INTEGRATION_SOURCE_PREFIX}.orders`,
  transfers: `${INTEGRATION_SOURCE_PREFIX}.transfers`,
} as const;

export type IntegrationSourceKey = keyof typeof integrationSources;

const envelope = {
  /**
   * The id of the domain event this was published from. Delivery is at least once: the same
   * event may arrive more than once, always with the same id, so consumers deduplicate on it.
   */
  id: z.string().min(1),
  schemaVersion: z.literal(1),
  /** When the domain event was recorded (ISO-8601 UTC, milliseconds). */
  occurredAt: z.iso.datetime(),
  /** Position of the event in its aggregate's history, from 1: orders one aggregate's events. */
  sequence: z.int().positive(),
  /** Ties together the events one request or process caused, when known. */
  correlationId: z.string().optional(),
};

/** Amounts of money are integers in minor units (cents). */
const money = z.int().positive();

/** The detail schema of an event about one kind of aggregate, identified by `idField`. */
function detailOf<IdField extends string>(idField: IdField) {
  return <Data extends z.ZodRawShape>(data: Data) =>
    z.strictObject({
      ...envelope,
      ...({ [idField]: z.string().min(1) } as Record<IdField, z.ZodString>),
      data: z.strictObject(data),
    });
}

const accountDetail = detailOf('accountId');
const orderDetail = detailOf('orderId');
const transferDetail = detailOf('transferId');

/** Every integration event's `Detail` schema, by source and `DetailType`. */
/** Which accounts a transfer moves money between, and how much. */
const transferMoney = {
  fromAccountId: z.string().min(1),
  toAccountId: z.string().min(1),
  amount: money,
};

export const integrationEventSchemas = {
  accounts: {
    'AccountOpened.v1': accountDetail({
      ownerId: z.string().min(1),
      accountType: z.enum(['checking', 'savings']),
      /** ISO 4217 code. */
      currency: z.string().length(3),
    }),
    'MoneyDeposited.v1': accountDetail({
      amount: money,
      /** Set when the money came from a transfer (or is the refund of a failed one). */
      transferId: z.string().min(1).optional(),
    }),
    'MoneyWithdrawn.v1': accountDetail({
      amount: money,
      /** Set when the money left for a transfer. */
      transferId: z.string().min(1).optional(),
    }),
    'AccountClosed.v1': accountDetail({}),
  },
  orders: {
    'OrderCreated.v1': orderDetail({ customerId: z.string().min(1) }),
    'OrderItemAdded.v1': orderDetail({
      productId: z.string().min(1),
      quantity: z.int().positive(),
      unitPrice: money,
    }),
    'OrderConfirmed.v1': orderDetail({ total: money }),
    'OrderPaymentSubmitted.v1': orderDetail({ accountId: z.string().min(1) }),
    'OrderPaid.v1': orderDetail({ accountId: z.string().min(1), amount: money }),
    'OrderShipped.v1': orderDetail({ carrier: z.string(), trackingNumber: z.string() }),
    'OrderDelivered.v1': orderDetail({}),
    'OrderCancelled.v1': orderDetail({ reason: z.string() }),
  },
  transfers: {
    /** The money moved: the source's withdrawal and the target's deposit were written with it. */
    'TransferPosted.v1': transferDetail(transferMoney),
    'TransferRequested.v1': transferDetail(transferMoney),
    'TransferDebited.v1': transferDetail({}),
    'TransferCompleted.v1': transferDetail({}),
    'TransferFailed.v1': transferDetail({
      /** A stable code, e.g. `InsufficientFunds`, `AccountClosed`, `AccountNotFound`. */
      reason: z.string(),
      message: z.string(),
      /** Whether the source account was debited and then given the money back. */
      refunded: z.boolean(),
    }),
  },
} as const;

type Schemas = typeof integrationEventSchemas;

/** The `DetailType`s published from one source. */
export type DetailTypeOf<Source extends IntegrationSourceKey> = keyof Schemas[Source] & string;

export type IntegrationDetailType = {
  [Source in IntegrationSourceKey]: DetailTypeOf<Source>;
}[IntegrationSourceKey];

type SchemaOf<
  Source extends IntegrationSourceKey,
  Type extends DetailTypeOf<Source>,
> = Schemas[Source][Type] extends z.ZodType ? Schemas[Source][Type] : never;

/** The `Detail` of one integration event type, as consumers receive it. */
export type IntegrationDetail<
  Source extends IntegrationSourceKey,
  Type extends DetailTypeOf<Source>,
> = z.infer<SchemaOf<Source, Type>>;

/** The public `data` of one integration event type. */
export type IntegrationData<
  Source extends IntegrationSourceKey,
  Type extends DetailTypeOf<Source>,
> = IntegrationDetail<Source, Type> extends { data: infer Data } ? Data : never;

/** An integration event ready to be put on the bus. */
export type IntegrationEvent = {
  [Source in IntegrationSourceKey]: {
    [Type in DetailTypeOf<Source>]: {
      readonly source: (typeof integrationSources)[Source];
      readonly detailType: Type;
      readonly detail: IntegrationDetail<Source, Type>;
    };
  }[DetailTypeOf<Source>];
}[IntegrationSourceKey];

/** The schema of one `DetailType`'s `Detail`. */
export function detailSchema(source: IntegrationSourceKey, detailType: string): z.ZodType {
  const schema = (integrationEventSchemas[source] as Record<string, z.ZodType | undefined>)[
    detailType
  ];
  if (!schema) throw new Error(`No integration event ${detailType} from ${source}`);
  return schema;
}
