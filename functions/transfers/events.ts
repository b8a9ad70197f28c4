import * as z from 'zod';
import { defineEvents, type NewEventOf, type RecordedEventOf } from '../eventsourcing';

/** Which accounts a transfer moves money between, and how much. */
const transfer = z.object({
  fromAccountId: z.string(),
  toAccountId: z.string(),
  amount: z.int().positive(),
});

/**
 * The transfer events in `transfer-<id>` streams: the data of each type at its current schema
 * version (every type at version 1: no upcasters yet).
 */
export const transferEvents = defineEvents({
  streamPrefix: 'transfer-',
  schemas: {
    /**
     * The transfer, posted: written in one transaction with the source's withdrawal and the
     * target's deposit, so the money is never between the two accounts.
     */
    TransferPosted: transfer,
    /** A transfer for the retiring process manager (see process-manager.ts) to run. */
    TransferRequested: transfer,
    /** The source account was debited (written atomically with the account's withdrawal). */
    TransferDebited: z.object({}),
    /** The target account was credited (written atomically with the account's deposit). */
    TransferCompleted: z.object({}),
    /** The transfer ended without moving money; `refunded` when the debit was given back. */
    TransferFailed: z.object({ reason: z.string(), message: z.string(), refunded: z.boolean() }),
  },
});

export type TransferMoney = z.infer<typeof transfer>;
export type TransferEvent = NewEventOf<typeof transferEvents.schemas>;
export type RecordedTransferEvent = RecordedEventOf<typeof transferEvents.schemas>;
