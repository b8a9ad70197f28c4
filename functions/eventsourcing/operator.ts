/**
 * `…/operator`: what operators run against a live system: rebuilding a projection into a new
 * generation, retiring old generations, finding events that no longer fit their schema.
 */
export {
  RebuildInterruptedError,
  rebuildProjection,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
} from './projections/rebuild.js';
export { rebuildStatus, type RebuildStatus } from './projections/rebuild-record.js';
export { RebuildConflictError, removeRetiredGenerations } from './projections/generation-switch.js';
export { findCorruptEvents } from './corrupt-events.js';
