import {
  describeFinding,
  type Finding,
  type UnsealedRange,
  type VerificationReport,
} from '../../../functions/eventsourcing/integrity';
import { emit, formatNumber, type EsCommand } from '../command';

/** Exit code of a verification that found something. */
const FOUND = 2;

const unsealedLine = (range: UnsealedRange) =>
  `Unsealed: ${range.streamId} versions ${range.fromVersion} to ${range.toVersion} (stored before events were hashed)`;

function summary(report: VerificationReport): string {
  const { from, checked, latest } = report.checkpoints;
  const checkpoints =
    checked === 0 ? 'no new checkpoint' : `checkpoints ${from} to ${latest ?? from}`;
  return (
    `Verified ${checkpoints}, ${formatNumber(report.positions)} log positions, ` +
    `${formatNumber(report.streams)} streams: ` +
    (report.findings.length === 0 ? 'nothing wrong.' : `${report.findings.length} finding(s).`)
  );
}

const findingLines = (findings: readonly Finding[]) => findings.map(describeFinding);

export const verify: EsCommand = {
  name: 'verify',
  summary: 'check that history is as it was sealed: chains, checkpoints, the log',
  usage: `verify [--stream ID] [--full] [--public-key FILE]

  Recomputes every hash from the stored bytes and checks each stream's chain, each checkpoint's
  signature and its link to the one before it, and every position of the global log against
  the checkpoint that sealed it. Names each finding (kind, checkpoint, position, stream,
  version) and exits with code 2 on any. Events stored before hashing are listed as unsealed.

  By default it goes on from the last checkpoint it found sound; --full starts over and walks
  every stream whole. --stream checks one stream: its chain, and each of its sealed events
  against the checkpoint that sealed it. --public-key checks signatures with that PEM file
  instead of the stack's own key.`,
  options: {
    stream: { type: 'string' },
    full: { type: 'boolean', default: false },
    'public-key': { type: 'string' },
  },
  async run(input, context) {
    const keyFile = input.values['public-key'];
    const verifier = await context
      .history()
      .verifier(typeof keyFile === 'string' ? keyFile : undefined);
    const streamId = input.values.stream;
    if (typeof streamId === 'string') {
      const result = await verifier.verifyStream(streamId);
      emit(context.io, result, (value) => [
        ...findingLines(value.findings),
        ...(value.unsealed ? [unsealedLine(value.unsealed)] : []),
        `Verified stream ${streamId}: ${formatNumber(value.events)} events, ` +
          `${value.checkpoints.length} checkpoint(s): ` +
          (value.findings.length === 0 ? 'nothing wrong.' : `${value.findings.length} finding(s).`),
      ]);
      return result.findings.length === 0 ? 0 : FOUND;
    }
    const report = await verifier.verify({
      full: input.values.full === true,
      onCheckpoint: (sequence) => context.io.progress(`verify: checkpoint ${sequence} checked`),
    });
    emit(context.io, report, (value) => [
      ...findingLines(value.findings),
      ...value.unsealed.map(unsealedLine),
      summary(value),
    ]);
    return report.findings.length === 0 ? 0 : FOUND;
  },
};
