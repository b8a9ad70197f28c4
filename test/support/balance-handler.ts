import { createConsumerHost } from '../../functions/eventsourcing/hosts';
import { balanceProjection } from './balance-projection';

/** A stream host's handler module, as a function declaration's `entry` names it. */
export const project = createConsumerHost({ consumers: [balanceProjection({ name: 'declared' })] });
