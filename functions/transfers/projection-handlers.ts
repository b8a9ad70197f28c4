import { createProjectionHandler } from '../eventsourcing';
import { transferUpcasters } from './events';
import { transfersInFlightProjection } from './in-flight';

/** Stream consumer keeping the transfers in flight, for the stuck-transfer check. */
export const inFlight = createProjectionHandler(transfersInFlightProjection, {
  upcasters: transferUpcasters,
});
