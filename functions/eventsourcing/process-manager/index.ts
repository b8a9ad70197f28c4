/**
 * Process managers: long-running processes across aggregates, each instance a stream of its
 * own recording the inputs it applied and the outputs it decided (see `ProcessManager`).
 */
export * from './definition.js';
export { processEvents, instanceStreamId, type ProcessStreamEvent } from './process-events.js';
export type { PendingCommand, PendingTimer, ProcessInstance } from './instance.js';
export { givenProcess } from './testing.js';
