import {
  emit,
  formatNumber,
  integerOption,
  UsageError,
  type CommandInput,
  type EsCommand,
} from '../command';
import { selectConsumers } from '../consumer-selection';
import type { EsContext } from '../context';
import { processOverviews, ProcessLookupError } from '../process-instances';
import { consumerStatuses, type ConsumerStatus } from '../views/consumer-status';
import { instanceLines, overviewLines } from '../views/process-lines';

const generation = (status: ConsumerStatus) =>
  status.generation
    ? `, generation ${status.generation.active}` +
      (status.generation.building !== undefined
        ? ` (rebuilding ${status.generation.building})`
        : '')
    : '';

const line = (status: ConsumerStatus) =>
  `${status.name}\t${status.kind}\tcheckpoint ${formatNumber(status.checkpoint)}\t` +
  `${formatNumber(status.pending)} pending, lag ${status.lagSeconds.toFixed(1)} s\t` +
  `${status.parked} parked, ${status.failing} failing${generation(status)}`;

const newestOf = (input: CommandInput) =>
  integerOption(input, 'newest', { min: 0, max: 1000, fallback: 5 })!;

/** `--process NAME [--instance ID]`: one process's instances, or one instance in full. */
async function showProcess(input: CommandInput, context: EsContext, name: string): Promise<number> {
  const instanceId = input.values.instance;
  if (typeof instanceId === 'string') {
    emit(context.io, await context.processes.instance(name, instanceId), instanceLines);
    return 0;
  }
  const [overview] = await processOverviews(context.processes, await context.consumers(), {
    names: [name],
    newest: newestOf(input),
  });
  emit(context.io, overview!, (value) => [
    `${value.name}\t${value.description}`,
    ...overviewLines(value),
  ]);
  return 0;
}

async function showConsumers(input: CommandInput, context: EsContext): Promise<number> {
  const selected = await selectConsumers(context, input.positionals[0]);
  const window = integerOption(input, 'window', { min: 1, max: 1000, fallback: 1000 })!;
  const runtimes = new Map(selected.map((runtime) => [runtime.name, runtime]));
  const [statuses, processes] = await Promise.all([
    consumerStatuses(runtimes, context.log, { window }),
    processOverviews(context.processes, runtimes, {
      names: context.processes.names.filter((name) => runtimes.has(name)),
      newest: newestOf(input),
    }),
  ]);
  const overviews = new Map(processes.map((overview) => [overview.name, overview]));
  emit(context.io, { ...statuses, processes }, (value) => [
    `Global log at position ${formatNumber(value.head)}; lag over its newest ${formatNumber(value.window)} events.`,
    ...value.consumers.flatMap((status) => {
      const overview = overviews.get(status.name);
      return [line(status), ...(overview ? overviewLines(overview) : [])];
    }),
  ]);
  return 0;
}

export const consumers: EsCommand = {
  name: 'consumers',
  summary: 'every stream consumer with its lag, checkpoint, parked and failing streams',
  usage: `consumers [NAME] [--window N] [--newest N]
       npm run es -- consumers --process NAME [--instance ID]

  Every projection and reaction (or the one named) with:
  checkpoint   the global log position up to which it has processed every event it handles
  pending      events it handles among the newest N of the log that it has not processed yet
  lag          seconds since the oldest of those was recorded
  parked       streams it gave up on (see parked, then redrive), and streams still failing
  --window N   how many of the newest events of the global log to measure over (default 1000)
  Under a process manager: its instances running and completed, the newest running ones
  (--newest N, default 5) with their state, pending commands and timers, and its parked streams.
  --process NAME       that process manager's instances only
  --instance ID        with --process, one instance in full: its state, every input applied
                       with the outputs decided on it, its pending commands and timers`,
  options: {
    window: { type: 'string' },
    newest: { type: 'string' },
    process: { type: 'string' },
    instance: { type: 'string' },
  },
  async run(input, context) {
    const process = input.values.process;
    if (typeof process !== 'string' && input.values.instance !== undefined) {
      throw new UsageError('--instance needs --process NAME.');
    }
    try {
      return typeof process === 'string'
        ? await showProcess(input, context, process)
        : await showConsumers(input, context);
    } catch (error) {
      if (error instanceof ProcessLookupError) throw new UsageError(error.message);
      throw error;
    }
  },
};
