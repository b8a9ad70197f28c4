import { beforeAll, describe, expect, it } from 'vitest';
import type { EventStreamStore } from '../../functions/eventsourcing';
import { events, newStreamId, type EventStoreHarness } from './event-store-cases';
import { appendContract, closeContract } from './event-store-append-contract';
import { hashChainContract } from './event-store-hash-contract';
import { catalogueContract, multiStreamContract, readContract } from './event-store-read-contract';

export {
  eventsOutsideTheCatalogue,
  invalidAppends,
  type EventStoreHarness,
} from './event-store-cases';

/**
 * The behaviour every event store promises, whatever holds its events: registers the tests in
 * the calling file for the storage `setUp` opens.
 */
export function eventStoreContract(setUp: () => Promise<EventStoreHarness>): void {
  let harness: EventStoreHarness;
  let store: EventStreamStore;
  beforeAll(async () => {
    harness = await setUp();
    store = harness.newStore();
  });
  const stored = (streamId: string) => harness.storedVersions(streamId);

  describe('append', () => {
    appendContract(() => ({ harness, store }));
  });
  describe('close', () => {
    closeContract(() => ({ harness, store }));
  });
  describe('read', () => {
    readContract(() => ({ harness, store }));
  });
  describe('the hash chain', () => {
    hashChainContract(() => ({ harness, store }));
  });
  describe('appendToStreams', () => {
    multiStreamContract(() => ({ harness, store }));
  });
  describe('the event catalogue', () => {
    catalogueContract(() => ({ harness, store }));
  });
  describe('commitAt', () => {
    it('holds only while the stream is still at the version', async () => {
      const streamId = newStreamId();
      await store.append(streamId, events(2), { expectedVersion: 'no_stream' });
      await expect(store.commitAt(streamId, 2, [])).resolves.toBeUndefined();
      await expect(store.commitAt(streamId, 1, [])).rejects.toMatchObject({
        code: 'ConcurrencyConflict',
        actualVersion: 2,
      });
      expect(await stored(streamId)).toEqual([1, 2]);
    });
  });
}
