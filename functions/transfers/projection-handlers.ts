import { createProjectionHandler } from '../eventsourcing';
import { transfersInFlightProjection } from './in-flight';

/** Stream consumer keeping the transfers in flight, for the stuck-transfer check. */
export const inFlight = createProjectionHandler(transfersInFlightProjection);
