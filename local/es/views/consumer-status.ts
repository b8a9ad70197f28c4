import { ProjectionRuntime, type ConsumerRuntime } from '../../../functions/eventsourcing/hosts';
import type { GlobalLogReader, LogReference } from '../../../functions/eventsourcing/global-log';

/** One stream consumer as an operator sees it. */
export interface ConsumerStatus {
  readonly name: string;
  readonly kind: 'projection' | 'reaction';
  /** Global log position up to which it has processed every event it handles. */
  readonly checkpoint: number;
  /** Handled events among the newest `window` of the log that it has not processed yet. */
  readonly pending: number;
  /** Seconds since the oldest of those was recorded; 0 when none is pending. */
  readonly lagSeconds: number;
  readonly parked: number;
  readonly failing: number;
  /** A projection's read-model generation in use, and the one a rebuild is building. */
  readonly generation?: { readonly active: number; readonly building?: number };
}

export interface ConsumerStatuses {
  /** Last position of the global log. */
  readonly head: number;
  /** Events of the log (the newest) the lag is measured over. */
  readonly window: number;
  readonly consumers: readonly ConsumerStatus[];
}

/**
 * Every consumer's progress, read from where it really is: the version guard of its active
 * target for each stream among the newest events of the global log, and its parked-streams
 * records. The same on DynamoDB Local and in AWS (no stream iterator is touched).
 */
export async function consumerStatuses(
  consumers: ReadonlyMap<string, ConsumerRuntime>,
  log: GlobalLogReader,
  options: { readonly window?: number; readonly now?: number } = {},
): Promise<ConsumerStatuses> {
  const { lastPosition } = await log.head();
  const window = Math.min(options.window ?? 1000, 1000);
  const after = Math.max(0, lastPosition - window);
  const { events } = await log.references({ after, limit: window });
  const now = options.now ?? Date.now();
  const statuses = await Promise.all(
    [...consumers.values()].map((runtime) => statusOf(runtime, events, lastPosition, now)),
  );
  return { head: lastPosition, window, consumers: statuses };
}

async function statusOf(
  runtime: ConsumerRuntime,
  log: readonly LogReference[],
  head: number,
  now: number,
): Promise<ConsumerStatus> {
  const handled = log.filter((reference) => runtime.handles.has(reference.type));
  // A projection's generations are read once: for its active target and for the report.
  const projection = runtime instanceof ProjectionRuntime ? runtime : undefined;
  const generations = await projection?.generations();
  const [active] =
    projection && generations ? [projection.writer(generations.active)] : await runtime.targets();
  const [applied, records] = await Promise.all([
    active
      ? active.appliedVersions([...new Set(handled.map((reference) => reference.streamId))])
      : new Map<string, number>(),
    runtime.parking.list(runtime.name),
  ]);
  const pending = handled.filter(
    (reference) => reference.version > (applied.get(reference.streamId) ?? 0),
  );
  const parked = records.filter((record) => record.status === 'parked').length;
  const oldest = pending[0];
  return {
    name: runtime.name,
    kind: runtime.kind,
    checkpoint: oldest ? oldest.position - 1 : head,
    pending: pending.length,
    lagSeconds: oldest ? Math.max(0, (now - Date.parse(oldest.recordedAt)) / 1000) : 0,
    parked,
    failing: records.length - parked,
    ...(generations
      ? {
          generation: {
            active: generations.active,
            ...(generations.building !== undefined ? { building: generations.building } : {}),
          },
        }
      : {}),
  };
}
