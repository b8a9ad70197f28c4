import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { sleep } from '../eventsourcing/retry';

/** EventBridge accepts at most 10 entries per PutEvents call. */
export const MAX_ENTRIES_PER_CALL = 10;
/** EventBridge's size limit for the entries of one call (and so for one entry). */
export const MAX_CALL_BYTES = 256 * 1024;

const utf8Bytes = (text: string | undefined) => (text ? Buffer.byteLength(text, 'utf8') : 0);

/** Size of an entry as EventBridge computes it. */
export function entryBytes(entry: PutEventsRequestEntry): number {
  return (
    (entry.Time ? 14 : 0) +
    utf8Bytes(entry.Source) +
    utf8Bytes(entry.DetailType) +
    utf8Bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + utf8Bytes(resource), 0)
  );
}

/** Groups entries in order into calls of at most 10 entries and 256 KB. */
export function batchEntries(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const batches: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let currentBytes = 0;
  for (const entry of entries) {
    const size = entryBytes(entry);
    if (size > MAX_CALL_BYTES) {
      throw new EntryTooLargeError(entry, size);
    }
    if (current.length === MAX_ENTRIES_PER_CALL || currentBytes + size > MAX_CALL_BYTES) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export class EntryTooLargeError extends Error {
  readonly code = 'IntegrationEventTooLarge';
  constructor(
    readonly entry: PutEventsRequestEntry,
    readonly sizeBytes: number,
  ) {
    super(
      `Integration event ${entry.DetailType ?? ''} is ${sizeBytes} bytes; EventBridge accepts at most ${MAX_CALL_BYTES}`,
    );
    this.name = 'EntryTooLargeError';
  }
}

export interface FailedEntry {
  readonly entry: PutEventsRequestEntry;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export class PutEventsFailedError extends Error {
  readonly code = 'PutEventsFailed';
  constructor(readonly failed: readonly FailedEntry[]) {
    super(
      `${failed.length} integration event(s) were not accepted by EventBridge: ` +
        failed.map((f) => `${f.errorCode} ${f.errorMessage}`).join('; '),
    );
    this.name = 'PutEventsFailedError';
  }
}

export interface PutEventsRetry {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
}

/**
 * Sends entries with PutEvents, in calls within EventBridge's limits, retrying only the entries
 * EventBridge reports as failed. Throws PutEventsFailedError listing what was still refused
 * after the last attempt, so the caller can report the source records as failed.
 */
export async function putEventsReliably(
  client: EventBridgeClient,
  entries: readonly PutEventsRequestEntry[],
  retry: PutEventsRetry = { maxAttempts: 4, baseDelayMs: 50 },
): Promise<void> {
  let pending: readonly PutEventsRequestEntry[] = entries;
  let failed: FailedEntry[] = [];
  for (let attempt = 1; attempt <= retry.maxAttempts && pending.length > 0; attempt++) {
    if (attempt > 1) await sleep(Math.random() * retry.baseDelayMs * 2 ** (attempt - 2));
    failed = [];
    for (const batch of batchEntries(pending)) {
      const result = await client.send(new PutEventsCommand({ Entries: batch }));
      if (!result.FailedEntryCount) continue;
      (result.Entries ?? []).forEach((outcome, index) => {
        const entry = batch[index];
        if (outcome.ErrorCode && entry) {
          failed.push({
            entry,
            errorCode: outcome.ErrorCode,
            errorMessage: outcome.ErrorMessage ?? '',
          });
        }
      });
    }
    pending = failed.map((f) => f.entry);
  }
  if (failed.length > 0) throw new PutEventsFailedError(failed);
}
