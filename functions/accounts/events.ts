import * as z from 'zod';
import { defineEvents, type NewEventOf, type RecordedEventOf } from '../eventsourcing';

export const ACCOUNT_TYPES = ['checking', 'savings'] as const;
export const CURRENCIES = ['USD'] as const;

export type AccountType = (typeof ACCOUNT_TYPES)[number];
export type Currency = (typeof CURRENCIES)[number];

const money = z.int().positive();

/**
 * The account events in `account-<id>` streams: the data of each type at its current schema
 * version. A change to a shape bumps the version: add an upcaster from the old version
 * (`upcasters`), and every reader (command handler, projections, temporal queries) sees old
 * events in the new shape. None yet: every type is at schema version 1.
 */
export const accountEvents = defineEvents({
  streamPrefix: 'account-',
  schemas: {
    AccountOpened: z.object({
      ownerId: z.string(),
      accountType: z.enum(ACCOUNT_TYPES),
      currency: z.enum(CURRENCIES),
      /** The holder's name and email: personal data of the owner, stored encrypted. */
      holderName: z.string().optional(),
      email: z.string().optional(),
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
  },
  // Sealed under the owner's key; an erased owner's events read with these replacements.
  personal: {
    AccountOpened: {
      subject: 'ownerId',
      fields: { holderName: '[erased]', email: '[erased]' },
    },
  },
});

export type AccountEvent = NewEventOf<typeof accountEvents.schemas>;
export type RecordedAccountEvent = RecordedEventOf<typeof accountEvents.schemas>;
