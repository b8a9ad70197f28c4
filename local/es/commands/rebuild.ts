import {
  RebuildInterruptedError,
  rebuildProjection,
  type RebuildResult,
} from '../../../functions/eventsourcing/operator';
import { emit, formatNumber, integerOption, type EsCommand } from '../command';
import { namedProjection } from '../consumer-selection';
import { formatProgress } from '../progress';

const summary = (name: string, result: RebuildResult) =>
  `${name}: generation ${result.generation} active (replaced ${result.replaced}), ` +
  `${formatNumber(result.events)} events` +
  (result.parkedStreams.length > 0
    ? `; parked: ${result.parkedStreams.join(', ')} (see parked, then redrive)`
    : '');

export const rebuild: EsCommand = {
  name: 'rebuild',
  summary: 'rebuild a projection over the global log, with progress',
  usage: `rebuild NAME [--settle-seconds N] [--keep-retired]

  Re-runs projection NAME over the global log, in the order events happened, into a new
  generation of its read model, then switches over: the live read model stays up meanwhile.
  Shows a progress bar (done/total, events/s, ETA). Ctrl-C interrupts; running it again
  resumes. It follows the log until N seconds (default 120) after it started, and removes the
  replaced generation 2 minutes after the switch.
  --keep-retired   keep the replaced generation (remove it later with clean NAME)`,
  options: {
    'settle-seconds': { type: 'string' },
    'keep-retired': { type: 'boolean', default: false },
  },
  async run(input, context) {
    const runtime = await namedProjection(context, input.positionals[0]);
    const settleSeconds = integerOption(input, 'settle-seconds', { min: 0, max: 3600 });
    try {
      const result = await rebuildProjection(runtime, context.rawLog, {
        ...(settleSeconds === undefined ? {} : { settleMs: settleSeconds * 1000 }),
        keepRetired: input.values['keep-retired'] === true,
        onProgress: (progress) => context.io.progress(formatProgress(progress)),
        ...(context.io.signal ? { signal: context.io.signal } : {}),
      });
      emit(context.io, { projection: runtime.name, ...result }, (value) => [
        summary(runtime.name, value),
      ]);
      return 0;
    } catch (error) {
      if (!(error instanceof RebuildInterruptedError)) throw error;
      context.io.print(error.message);
      return 130;
    }
  },
};
