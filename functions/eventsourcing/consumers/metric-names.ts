/**
 * Metrics the consumer host emits per consumer (dimension `consumer`, beside `service`, the
 * host function); the CDK app alarms on them per declared consumer.
 */
export const CONSUMER_METRICS = {
  /** Milliseconds from an event's `recordedAt` to its consumer processing it. */
  lag: 'ConsumerLag',
  /** Events of handled types processed. */
  applied: 'ConsumerEventsApplied',
  /** Streams the consumer parked after repeated failures; they wait for a redrive. */
  parked: 'ConsumerStreamsParked',
  /** Batches the consumer asked to have delivered again. */
  retries: 'ConsumerBatchRetries',
} as const;
