import type { SealedCheckpoint } from '../../../functions/eventsourcing/integrity';
import { emit, formatNumber, type EsCommand } from '../command';

const describe = (checkpoint: SealedCheckpoint) =>
  `Checkpoint ${checkpoint.sequence}: positions ${formatNumber(checkpoint.firstPosition)} to ` +
  `${formatNumber(checkpoint.lastPosition)}, root ${checkpoint.root}` +
  (checkpoint.written ? '' : ' (written by an earlier run, now recorded)');

export const checkpoint: EsCommand = {
  name: 'checkpoint',
  summary: 'seal the global log now: a signed checkpoint in the write-once bucket',
  usage: `checkpoint

  Seals every position of the global log since the last checkpoint, as the scheduled sealer
  does: the Merkle root over their leaves, signed, written once to the checkpoints bucket.
  Prints each checkpoint written; nothing when nothing is new.`,
  async run(_input, context) {
    const sealed = await (await context.history().sealer()).seal();
    emit(context.io, { sealed }, ({ sealed: list }) =>
      list.length === 0 ? ['Nothing new to seal.'] : list.map(describe),
    );
    return 0;
  },
};
