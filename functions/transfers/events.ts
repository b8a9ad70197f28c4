import * as z from 'zod';
import {
  EventCatalogue,
  type NewEventOf,
  type RecordedEvent,
  type RecordedEventOf,
} from '../eventsourcing';
import { eventTypesOf } from '../eventsourcing/event-schemas';

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

/**
 * The transfer events' catalogue: their schemas, and (none yet: every type is at schema version 1)
 * the upcasters lifting older schema versions to the current ones.
 */
export const transferEvents = EventCatalogue.of(transferEventSchemas, {});

export const transferUpcasters = transferEvents.upcasters;

const STREAM_PREFIX = 'transfer-';

export const transferStreamId = (transferId: string) => `${STREAM_PREFIX}${transferId}`;

export const transferIdOf = (streamId: string) => streamId.slice(STREAM_PREFIX.length);

export const isTransferStream = (streamId: string) => streamId.startsWith(STREAM_PREFIX);

/**
 * A stored transfer event upcast and checked against its schema; throws `CorruptEventError` (so
 * a projection parks it) when it does not fit.
 */
export const parseTransferEvent = (event: RecordedEvent) => transferEvents.parse(event);
