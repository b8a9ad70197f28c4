import * as z from 'zod';
import {
  EventCatalogue,
  type NewEventOf,
  type RecordedEvent,
  type RecordedEventOf,
} from '../eventsourcing';
import { eventTypesOf } from '../eventsourcing/event-schemas';

export const ACCOUNT_TYPES = ['checking', 'savings'] as const;
export const CURRENCIES = ['USD'] as const;

export type AccountType = (typeof ACCOUNT_TYPES)[number];
export type Currency = (typeof CURRENCIES)[number];

const money = z.int().positive();

/**
 * The data of each account event at its current schema version. A change to a shape bumps the
 * version: add an upcaster from the old version to `accountUpcasters`, and every reader (command
 * handler, projections, temporal queries) sees old events in the new shape.
 */
export const accountEventSchemas = {
  AccountOpened: z.object({
    ownerId: z.string(),
    accountType: z.enum(ACCOUNT_TYPES),
    currency: z.enum(CURRENCIES),
  }),
  MoneyDeposited: z.object({
    amount: money,
    source: z.string().optional(),
    /** Set when the deposit is a transfer's credit, or the refund of a failed transfer. */
    transferId: z.string().optional(),
  }),
  MoneyWithdrawn: z.object({
    amount: money,
    destination: z.string().optional(),
    /** Set when the withdrawal is a transfer's debit. */
    transferId: z.string().optional(),
  }),
  AccountClosed: z.object({}),
} as const;

export type AccountEvent = NewEventOf<typeof accountEventSchemas>;
export type RecordedAccountEvent = RecordedEventOf<typeof accountEventSchemas>;

export const ACCOUNT_EVENT_TYPES = eventTypesOf(accountEventSchemas);

/**
 * The account events' catalogue: their schemas, and (none yet: every type is at schema version 1)
 * the upcasters lifting older schema versions to the current ones.
 */
export const accountEvents = EventCatalogue.of(accountEventSchemas, {});

export const accountUpcasters = accountEvents.upcasters;

const STREAM_PREFIX = 'account-';

export const accountStreamId = (accountId: string) => `${STREAM_PREFIX}${accountId}`;

export const accountIdOf = (streamId: string) => streamId.slice(STREAM_PREFIX.length);

/**
 * A stored account event upcast and checked against its schema; throws `CorruptEventError` (so
 * a projection parks it) when it does not fit.
 */
export const parseAccountEvent = (event: RecordedEvent) => accountEvents.parse(event);
