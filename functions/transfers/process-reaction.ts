import { logger, type Reaction } from '../eventsourcing';
import { transferEvents, type RecordedTransferEvent } from './events';
import type { TransferProcess } from './service';

/**
 * The transfer process manager, a reaction to the events after which a transfer has a step to
 * take: it runs the transfer's remaining steps. Advancing is idempotent, so a repeated delivery
 * is harmless. A transfer that cannot advance (an outage, a bug) is recorded and, failing again,
 * parked with its reason; the stuck-transfer check reports it meanwhile and runs it again.
 */
export function transferProcessReaction(
  process: () => TransferProcess,
): Reaction<RecordedTransferEvent> {
  return {
    name: 'transfer-process',
    handles: ['TransferRequested', 'TransferDebited'],
    async react(events) {
      const transferId = transferEvents.idOf(events[0]!.streamId);
      const state = await process().advance(transferId);
      logger.info('Transfer advanced', { transferId, status: state.status });
    },
  };
}
