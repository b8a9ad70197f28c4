import { removeRetiredGenerations } from '../../../functions/eventsourcing/operator';
import { emit, formatNumber, type EsCommand } from '../command';
import { namedProjection } from '../consumer-selection';

export const clean: EsCommand = {
  name: 'clean',
  summary: 'remove the generations of a projection a rebuild replaced',
  usage: `clean NAME

  Removes the items of the generations of projection NAME that a rebuild run with
  --keep-retired replaced.`,
  async run(input, context) {
    const runtime = await namedProjection(context, input.positionals[0]);
    const removed = await removeRetiredGenerations(runtime);
    emit(context.io, { projection: runtime.name, removed }, (value) => [
      `${value.projection}: removed ${formatNumber(value.removed)} items of replaced generations`,
    ]);
    return 0;
  },
};
