/**
 * `…/testing`: testing without a database. Given/when/then for deciders and process managers,
 * and event stores in memory with the DynamoDB store's contract.
 */
export { expectThrows, given, type ErrorMatcher } from './decider-testing.js';
export { givenStreams, streamOf, type LoadedStream } from './process-manager-testing.js';
export { givenProcess } from './process-manager/testing.js';
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './in-memory-event-store.js';
export { InMemoryEventTable } from './in-memory-event-table.js';
