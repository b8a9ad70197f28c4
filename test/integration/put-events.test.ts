import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import {
  batchEntries,
  EntryTooLargeError,
  MAX_CALL_BYTES,
  PutEventsFailedError,
  putEventsReliably,
} from '../../functions/integration/put-events';
import { createEventBridgeClient } from '../../functions/integration/eventbridge-client';
import { startLocalEventBus, type LocalEventBus } from '../../local/event-bus';

const entry = (id: number, detailBytes = 10): PutEventsRequestEntry => ({
  Source: 'test',
  DetailType: 'Thing.v1',
  Detail: JSON.stringify({ id, pad: 'p'.repeat(detailBytes) }),
  EventBusName: 'bus',
});

let bus: LocalEventBus | undefined;
afterEach(async () => {
  await bus?.stop();
  bus = undefined;
});

const clientFor = (endpoint: string) => createEventBridgeClient({ endpoint });

describe('PutEvents batching', () => {
  it('keeps at most 10 entries and 256 KB per call, in order', () => {
    const small = batchEntries(Array.from({ length: 23 }, (_, i) => entry(i)));
    expect(small.map((b) => b.length)).toEqual([10, 10, 3]);
    const big = batchEntries(Array.from({ length: 5 }, (_, i) => entry(i, 100 * 1024)));
    expect(big.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(big.flat().map((e) => (JSON.parse(e.Detail!) as { id: number }).id)).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });

  it('refuses an entry that can never fit', () => {
    expect(() => batchEntries([entry(1, MAX_CALL_BYTES)])).toThrow(EntryTooLargeError);
  });
});

describe('putEventsReliably against the local PutEvents endpoint', () => {
  it('sends everything and retries only the entries that failed', async () => {
    const attempts = new Map<string, number>();
    bus = await startLocalEventBus({
      refuse: (e) => {
        const seen = (attempts.get(e.Detail!) ?? 0) + 1;
        attempts.set(e.Detail!, seen);
        const id = (JSON.parse(e.Detail!) as { id: number }).id;
        return id % 3 === 0 && seen === 1
          ? { code: 'ThrottlingException', message: 'slow down' }
          : undefined;
      },
    });
    const entries = Array.from({ length: 25 }, (_, i) => entry(i));
    await putEventsReliably(clientFor(bus.endpoint), entries, { maxAttempts: 3, baseDelayMs: 1 });
    const ids = bus.events.map((e) => (JSON.parse(e.entry.Detail!) as { id: number }).id);
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    // Entries that succeeded the first time were sent exactly once.
    expect([...attempts.entries()].filter(([, n]) => n > 1)).toHaveLength(9);
  });

  it('reports entries still refused after the last attempt', async () => {
    bus = await startLocalEventBus({
      refuse: (e) =>
        e.Detail!.includes('"id":1,') ? { code: 'InternalFailure', message: 'broken' } : undefined,
    });
    const error = await putEventsReliably(clientFor(bus.endpoint), [entry(0), entry(1)], {
      maxAttempts: 2,
      baseDelayMs: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PutEventsFailedError);
    expect((error as PutEventsFailedError).failed).toHaveLength(1);
    expect((error as PutEventsFailedError).failed[0]?.errorCode).toBe('InternalFailure');
    expect(bus.events).toHaveLength(1);
  });
});
