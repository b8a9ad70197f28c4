import { backfillGlobalLog } from '../../../functions/eventsourcing/global-log';
import { emit, formatNumber, type EsCommand } from '../command';

export const backfill: EsCommand = {
  name: 'backfill',
  summary: 'give a global log position to every event the log lacks',
  usage: `backfill

  Gives a position to every event of the events table the global log lacks (events older
  than the log). Safe to run again; exit code 2 when some streams could not be indexed.`,
  async run(_input, context) {
    const result = await backfillGlobalLog(context.indexer, context.eventsTable, {
      onProgress: (p) =>
        context.io.progress(
          `backfill: ${formatNumber(p.scanned)} events read, ${formatNumber(p.indexed)} indexed`,
        ),
      ...(context.io.signal ? { signal: context.io.signal } : {}),
    });
    emit(context.io, result, (value) => [
      `Backfill: ${formatNumber(value.scanned)} events read, ${formatNumber(value.indexed)} newly indexed` +
        (value.failedStreams > 0
          ? `; ${value.failedStreams} stream(s) could not be indexed, run it again`
          : ''),
    ]);
    return result.failedStreams > 0 ? 2 : 0;
  },
};
