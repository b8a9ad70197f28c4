/** Emitted once per stream a projection parks; the CDK app alarms on it. */
export const STREAMS_PARKED_METRIC = 'ProjectionStreamsParked';
