export interface SnapshotDecisionInput {
  /** Stream version after the append. */
  readonly version: number;
  /** Version of the snapshot the load started from (0 when none). */
  readonly snapshotVersion: number;
  /** When that snapshot was taken (undefined when none). */
  readonly snapshotTakenAt: Date | undefined;
  readonly now: Date;
}

export type SnapshotStrategy = ((input: SnapshotDecisionInput) => boolean) & {
  /**
   * How many events the strategy lets accumulate after a snapshot before it takes the next:
   * a load reads that many of the latest events beside the snapshot, in the same round trip.
   */
  readonly eventsBetweenSnapshots?: number;
};

/** Snapshot once `events` events have accumulated since the last snapshot. */
export function everyNEvents(events: number): SnapshotStrategy {
  if (!Number.isSafeInteger(events) || events < 1) {
    throw new RangeError('everyNEvents needs a positive integer');
  }
  return Object.assign(
    ({ version, snapshotVersion }: SnapshotDecisionInput) => version - snapshotVersion >= events,
    { eventsBetweenSnapshots: events },
  );
}

/** Snapshot when the last snapshot is older than `maxAgeMs` (or missing) and something changed. */
export function timeBased(maxAgeMs: number): SnapshotStrategy {
  return ({ version, snapshotVersion, snapshotTakenAt, now }) =>
    version > snapshotVersion &&
    (snapshotTakenAt === undefined || now.getTime() - snapshotTakenAt.getTime() >= maxAgeMs);
}

/** Snapshot when either `events` have accumulated or the last snapshot is older than `maxAgeMs`. */
export function hybrid(options: { events: number; maxAgeMs: number }): SnapshotStrategy {
  const byCount = everyNEvents(options.events);
  const byAge = timeBased(options.maxAgeMs);
  return Object.assign((input: SnapshotDecisionInput) => byCount(input) || byAge(input), {
    eventsBetweenSnapshots: options.events,
  });
}
