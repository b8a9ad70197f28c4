import * as z from 'zod';
import { Upcasters } from '../eventsourcing';
import {
  eventParser,
  eventTypesOf,
  type NewEventOf,
  type RecordedEventOf,
} from '../eventsourcing/event-schemas';

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

/** No account event has changed shape yet: every type is at schema version 1. */
export const accountUpcasters = new Upcasters({});

const STREAM_PREFIX = 'account-';

export const accountStreamId = (accountId: string) => `${STREAM_PREFIX}${accountId}`;

export const accountIdOf = (streamId: string) => streamId.slice(STREAM_PREFIX.length);

/** Checks a recorded event against its schema; throws (so the event is parked) when it does not fit. */
export const parseAccountEvent = eventParser('account', accountEventSchemas);
