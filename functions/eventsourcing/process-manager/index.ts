/**
 * Process managers: long-running processes across aggregates, each instance a stream of its
 * own recording the inputs it applied and the outputs it decided (see `ProcessManager`).
 */
export * from './definition.js';
export { processEvents, instanceStreamId, type ProcessStreamEvent } from './process-events.js';
export type { PendingCommand, PendingTimer, ProcessInstance } from './instance.js';
export { givenProcess } from './testing.js';
export { eventInput, processReaction } from './reaction.js';
export {
  ProcessLoopError,
  ProcessManagerRuntime,
  UnknownTargetError,
  type ProcessRuntimeOptions,
  type TimerDelivery,
} from './runtime.js';
export { processDeclaration, processTimerHandler, processesOf } from './declaration.js';
export { isProcessDeclaration, type ProcessDeclaration } from './grants.js';
