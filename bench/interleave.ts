import { spread, type Spread } from './stats';

/** The sides in the order they run in one slot. */
function slotOrder<Side>(sides: readonly Side[], slot: number, order: SlotOrder): Side[] {
  const rotated = sides.map((_, i) => sides[(i + slot) % sides.length]!);
  if (order === 'rotate') return rotated;
  for (let i = rotated.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [rotated[i], rotated[j]] = [rotated[j]!, rotated[i]!];
  }
  return rotated;
}

/**
 * `rotate`: each slot starts one side later than the one before. `shuffle`: a random order per
 * slot, for small effects, so that load on the machine that comes and goes in a rhythm of its
 * own (pollers, timers) cannot fall on one side more than another.
 */
export type SlotOrder = 'rotate' | 'shuffle';

/**
 * Runs every side once per slot, rotating (or shuffling) the order from slot to slot so that
 * drift in the machine (JIT, table growth, other processes) falls on all sides alike. Returns
 * each side's values in slot order.
 */
export async function interleave<Side extends string, T>(
  sides: readonly Side[],
  slots: number,
  measure: (side: Side, slot: number) => Promise<T>,
  order: SlotOrder = 'rotate',
): Promise<Record<Side, T[]>> {
  const results = Object.fromEntries(sides.map((side) => [side, [] as T[]])) as Record<Side, T[]>;
  for (let slot = 0; slot < slots; slot++) {
    for (const side of slotOrder(sides, slot, order)) {
      results[side].push(await measure(side, slot));
    }
  }
  return results;
}

/** Ratio of two sides computed run by run (values from the same run paired), summarised. */
export function pairwiseRatio(
  numerators: readonly number[],
  denominators: readonly number[],
): Spread {
  if (numerators.length !== denominators.length) {
    throw new RangeError('a pairwise ratio needs one value per run on both sides');
  }
  return spread(numerators.map((value, i) => value / denominators[i]!));
}

/** Splits slot-ordered values into `runs` consecutive groups of equal size. */
export function groupIntoRuns<T>(values: readonly T[], runs: number): T[][] {
  const size = values.length / runs;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`cannot split ${values.length} values into ${runs} runs`);
  }
  return Array.from({ length: runs }, (_, run) => values.slice(run * size, (run + 1) * size));
}
