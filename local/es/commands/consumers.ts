import { emit, formatNumber, integerOption, type EsCommand } from '../command';
import { selectConsumers } from '../consumer-selection';
import { consumerStatuses, type ConsumerStatus } from '../views/consumer-status';

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

export const consumers: EsCommand = {
  name: 'consumers',
  summary: 'every stream consumer with its lag, checkpoint, parked and failing streams',
  usage: `consumers [NAME] [--window N]

  Every projection and reaction (or the one named) with:
  checkpoint   the global log position up to which it has processed every event it handles
  pending      events it handles among the newest N of the log that it has not processed yet
  lag          seconds since the oldest of those was recorded
  parked       streams it gave up on (see parked, then redrive), and streams still failing
  --window N   how many of the newest events of the global log to measure over (default 1000)`,
  options: { window: { type: 'string' } },
  async run(input, context) {
    const selected = await selectConsumers(context, input.positionals[0]);
    const window = integerOption(input, 'window', { min: 1, max: 1000, fallback: 1000 })!;
    const statuses = await consumerStatuses(
      new Map(selected.map((runtime) => [runtime.name, runtime])),
      context.log,
      { window },
    );
    emit(context.io, statuses, (value) => [
      `Global log at position ${formatNumber(value.head)}; lag over its newest ${formatNumber(value.window)} events.`,
      ...value.consumers.map(line),
    ]);
    return 0;
  },
};
