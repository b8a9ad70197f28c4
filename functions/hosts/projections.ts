import { toDomainEvent } from '../domain-events';
import { createConsumerHost } from '../eventsourcing/hosts';
import { projections } from '../system';

/**
 * Stream host `projections` (see `functions/system.ts`): keeps every read model current. It
 * hosts every projection the contexts' modules list, under the names their code gives them.
 */
export const handler = createConsumerHost({ consumers: projections, decode: toDomainEvent });
