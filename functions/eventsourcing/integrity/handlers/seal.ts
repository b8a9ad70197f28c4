import { once } from '../../http/once.js';
import { logger } from '../../logger.js';
import { historyLogFromEnv, signerFromEnv } from '../environment.js';
import { CheckpointSealer, type SealedCheckpoint } from '../sealer.js';
import { sealingFromEnv } from './resources.js';

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
