import { createProjectionHandler } from '../../functions/eventsourcing';
import { balanceProjection } from './balance-projection';

/** A stream consumer's handler module, as a function declaration's `entry` names it. */
export const project = createProjectionHandler(balanceProjection({ name: 'declared' }));
