import type { ArchivedStream } from '../../../functions/eventsourcing/archive';
import { retentionOf } from '../../../functions/eventsourcing/declaration';
import { contexts } from '../../../functions/system';
import { emit, formatNumber, type EsCommand } from '../command';

const describe = (stream: ArchivedStream) =>
  `${stream.streamId}\t${
    stream.moved
      ? `versions ${stream.moved.from}–${stream.moved.to} archived`
      : 'nothing new to archive'
  }\t${stream.reason}${stream.removed > 0 ? `\t${formatNumber(stream.removed)} items removed` : ''}`;

export const archive: EsCommand = {
  name: 'archive',
  summary: 'move aged streams to the archive bucket, as the scheduled archiver does',
  usage: `archive [--stream ID]

  Moves to the archive bucket every stream the contexts' retention rules make due (a tombstoned
  stream at once): the versions a signed checkpoint covers, all but the stream's last, written
  to S3 byte for byte before they leave the events table. Reads of those versions go to S3 from
  then on, unseen by readers. Safe to run again or after a crash: it resumes.
  --stream ID  archive that stream now, whatever its rule says`,
  options: {
    stream: { type: 'string' },
  },
  async run(input, context) {
    const archiver = context.history().archiver(retentionOf(contexts));
    const streamId = input.values.stream;
    const streams =
      typeof streamId === 'string'
        ? [await archiver.archiveStream(streamId, 'asked by an operator')]
        : (await archiver.run()).streams;
    emit(context.io, { streams }, ({ streams: list }) =>
      list.length === 0 ? ['No stream is due for the archive.'] : list.map(describe),
    );
    return 0;
  },
};
