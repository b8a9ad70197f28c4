import { emit, formatNumber, type EsCommand } from '../command';

export const log: EsCommand = {
  name: 'log',
  summary: 'the global log: events, pages, lag, events per type',
  usage: `log

  How many events and pages the global log holds, how long ago its newest event was recorded,
  and the count and last position of each event type.`,
  async run(_input, context) {
    const head = await context.log.head();
    const lagSeconds = head.newestRecordedAt
      ? Math.max(0, (Date.now() - Date.parse(head.newestRecordedAt)) / 1000)
      : undefined;
    emit(context.io, { ...head, ...(lagSeconds === undefined ? {} : { lagSeconds }) }, (value) => [
      `Global log: ${formatNumber(value.lastPosition)} events in ${formatNumber(value.pages)} pages` +
        (value.newestRecordedAt
          ? `; newest event recorded ${value.newestRecordedAt} (${formatNumber(lagSeconds ?? 0)} s ago)`
          : ''),
      ...Object.entries(value.types)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(
          ([type, tally]) =>
            `  ${type}: ${formatNumber(tally.count)}, last at position ${formatNumber(tally.last)}`,
        ),
    ]);
    return 0;
  },
};
