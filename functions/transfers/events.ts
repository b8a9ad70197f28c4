import * as z from 'zod';
import { Upcasters } from '../eventsourcing';
import {
  eventParser,
  eventTypesOf,
  type NewEventOf,
  type RecordedEventOf,
} from '../eventsourcing/event-schemas';

/** The data of each transfer event at its current schema version. */
export const transferEventSchemas = {
  TransferRequested: z.object({
    fromAccountId: z.string(),
    toAccountId: z.string(),
    amount: z.int().positive(),
  }),
  /** The source account was debited (written atomically with the account's withdrawal). */
  TransferDebited: z.object({}),
  /** The target account was credited (written atomically with the account's deposit). */
  TransferCompleted: z.object({}),
  /** The transfer ended without moving money; `refunded` when the debit was given back. */
  TransferFailed: z.object({ reason: z.string(), message: z.string(), refunded: z.boolean() }),
} as const;

export type TransferEvent = NewEventOf<typeof transferEventSchemas>;
export type RecordedTransferEvent = RecordedEventOf<typeof transferEventSchemas>;
export type TransferEventType = TransferEvent['type'];

export const TRANSFER_EVENT_TYPES = eventTypesOf(transferEventSchemas);

/** No transfer event has changed shape yet: every type is at schema version 1. */
export const transferUpcasters = new Upcasters({});

const STREAM_PREFIX = 'transfer-';

export const transferStreamId = (transferId: string) => `${STREAM_PREFIX}${transferId}`;

export const transferIdOf = (streamId: string) => streamId.slice(STREAM_PREFIX.length);

export const isTransferStream = (streamId: string) => streamId.startsWith(STREAM_PREFIX);

/** Checks a recorded event against its schema; throws when it does not fit. */
export const parseTransferEvent = eventParser('transfer', transferEventSchemas);
