import type { ErasureReport } from '../../../functions/eventsourcing/personal';
import { emit, formatNumber, requiredPositional, UsageError, type EsCommand } from '../command';

function reportLines(report: ErasureReport): string[] {
  const readModels = Object.entries(report.readModelItems)
    .filter(([, count]) => count > 0)
    .map(([table, count]) => `${table} ${formatNumber(count)}`);
  return [
    `${report.repeated ? 'Erasure re-applied' : 'Erased'}: ${report.subject} (recorded ${report.erasedAt})`,
    `Streams: ${report.streams.length === 0 ? 'none' : report.streams.join(', ')}`,
    `Events now reading as replacements: ${formatNumber(report.events)}`,
    `Read-model items scrubbed: ${readModels.length === 0 ? 'none' : readModels.join(', ')}`,
    `Snapshots dropped: ${formatNumber(report.snapshots)}`,
    ...(report.clearEvents.length === 0
      ? []
      : [
          `Events holding personal data in clear (stored before encryption; no key erases them):`,
          ...report.clearEvents.map(
            (event) =>
              `  ${event.streamId} v${event.version} ${event.type}: ${event.fields.join(', ')}`,
          ),
        ]),
  ];
}

export const erase: EsCommand = {
  name: 'erase',
  summary: "erase a data subject's personal data (crypto-shredding), with a report",
  usage: `erase SUBJECT --reason TEXT [--by NAME]

  Records the erasure in the ledger (erasure-SUBJECT: who asked and why, no personal data),
  then destroys the subject's data key: every personal value sealed under it, in events,
  snapshots and read models, reads as its declared replacement from then on, and new personal
  data for the subject is refused (SubjectErased). Drops the snapshots of the subject's streams
  and scrubs its sealed values from every read model. Prints what it touched, and the events
  that hold the subject's personal data in clear (stored before encryption).

  Running it again re-applies the erasure (after a restore of the data keys table, say).
  --by names who asked (default: the operator's user name).`,
  options: {
    reason: { type: 'string' },
    by: { type: 'string' },
  },
  async run(input, context) {
    const subject = requiredPositional(input, 'SUBJECT');
    const reason = input.values.reason;
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new UsageError('--reason is required: the request it honours (a ticket, an article)');
    }
    const by = input.values.by;
    const requestedBy =
      typeof by === 'string' && by !== '' ? by : `operator:${process.env.USER ?? 'unknown'}`;
    const report = await context.erasure().erase({ subject, requestedBy, reason: reason.trim() });
    emit(context.io, report, reportLines);
    return 0;
  },
};
