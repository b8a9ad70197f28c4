import { createDynamoDbClient, logger, storageFromEnv, type Reaction } from '../eventsourcing';
import type { ReactionDeclaration } from '../eventsourcing/declaration';
import { once } from '../eventsourcing/http';
import { transferEvents, type RecordedTransferEvent } from './events';
import { TransferProcess } from './service';

/**
 * The transfer process manager's code, a reaction to the events after which a transfer requested
 * before postings has a step to take: it runs the transfer's remaining steps. A posted transfer
 * (`TransferPosted`) has none, and never reaches it. Advancing is idempotent, so a repeated
 * delivery is harmless. A transfer that cannot advance (an outage, a bug) is recorded and,
 * failing again, parked with its reason; the stuck-transfer check reports it meanwhile and runs
 * it again.
 */
function transferProcessReaction(process: () => TransferProcess): Reaction<RecordedTransferEvent> {
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

/** The transfer process manager as the context declares it, with its code. */
export const transferProcess = {
  description: 'Transfer process manager (retiring): finishes transfers requested before postings.',
  kind: 'reaction',
  tables: { events: 'append', snapshots: 'read' },
  create: () =>
    transferProcessReaction(
      once(() => new TransferProcess(storageFromEnv(createDynamoDbClient()))),
    ),
} as const satisfies ReactionDeclaration;
