import {
  CheckpointSealer,
  historyLogFromEnv,
  logger,
  signerFromEnv,
  type SealedCheckpoint,
} from '../eventsourcing';
import { once } from '../http/once';
import { sealingFromEnv } from './checkpoints';

const sealer = once(
  async () =>
    new CheckpointSealer({
      ...sealingFromEnv(),
      signer: await signerFromEnv('checkpoints'),
      log: historyLogFromEnv(),
    }),
);

/**
 * Seals the global log since the last checkpoint (on its schedule, or `npm run es -- checkpoint`):
 * signed checkpoints in the write-once bucket, as many as the backlog takes.
 */
export async function handler(): Promise<{ sealed: SealedCheckpoint[] }> {
  const sealed = await (await sealer()).seal();
  for (const checkpoint of sealed) {
    logger.info('Checkpoint sealed', { ...checkpoint });
  }
  if (sealed.length === 0) logger.debug('Nothing new to seal');
  return { sealed };
}
