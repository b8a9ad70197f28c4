import { z } from 'zod';
import type { NewEvent, RecordedEvent } from '../eventsourcing';

/** The data of each transfer event at its current schema version (all at version 1). */
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

type Schemas = typeof transferEventSchemas;
export type TransferEventType = keyof Schemas;

export type TransferEvent = {
  [Type in TransferEventType]: NewEvent<Type, z.infer<Schemas[Type]>>;
}[TransferEventType];

export type RecordedTransferEvent = {
  [Type in TransferEventType]: RecordedEvent<Type, z.infer<Schemas[Type]>>;
}[TransferEventType];

export const TRANSFER_EVENT_TYPES = Object.keys(transferEventSchemas) as TransferEventType[];

const STREAM_PREFIX = 'transfer-';

export const transferStreamId = (transferId: string) => `${STREAM_PREFIX}${transferId}`;

export const transferIdOf = (streamId: string) => streamId.slice(STREAM_PREFIX.length);

export const isTransferStream = (streamId: string) => streamId.startsWith(STREAM_PREFIX);
