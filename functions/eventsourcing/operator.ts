/**
 * `…/operator`: what operators run against a live system: rebuilding a projection into a new
 * generation, retiring old generations, finding events that no longer fit their schema.
 */
export {
  RebuildConflictError,
  RebuildInterruptedError,
  rebuildProjection,
  rebuildStatus,
  removeRetiredGenerations,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
  type RebuildStatus,
} from './projections/rebuild.js';
export { findCorruptEvents } from './corrupt-events.js';
