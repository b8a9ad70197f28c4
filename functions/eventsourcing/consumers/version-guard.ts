import type { RecordedEvent } from '../types.js';

/** An event for a consumer, decoded when the consumer handles its type, or why it cannot be. */
export interface EventToApply {
  readonly event: RecordedEvent;
  /** Why the event cannot reach the consumer (no upcaster, data outside its schema, …). */
  readonly error?: Error;
}

/** Reads the events of `streamId` from `fromVersion` to `toVersion` from the events table. */
export type ReadFromStore = (
  streamId: string,
  fromVersion: number,
  toVersion: number,
) => Promise<EventToApply[]>;

/**
 * - `gap`: a version before a handled event is neither delivered nor in the events table (yet);
 * - `poison`: the consumer cannot take the event (its code threw, the event cannot be decoded,
 *   a write DynamoDB refuses);
 * - `transient`: the database or a service said "later" (throttling, conflicts, unreachable),
 *   or the consumer ran out of time.
 */
export type FailureKind = 'gap' | 'poison' | 'transient';

export interface StreamFailure {
  readonly kind: FailureKind;
  /** The version that could not be processed. */
  readonly version: number;
  readonly eventId?: string;
  readonly eventType?: string;
  readonly error: Error;
}

export interface StreamApplyResult {
  /** The stream's guard afterwards: every version up to it is processed. */
  readonly appliedVersion: number;
  /** Handled events this call processed, in order. */
  readonly applied: readonly RecordedEvent[];
  readonly failure?: StreamFailure;
}

/**
 * Where a consumer keeps its version guard (the last version of each stream it processed) and
 * how it takes a stream's events past it. A projection has one per written generation of its
 * read model, a reaction one in the reaction-positions table.
 */
export interface GuardedTarget {
  /** Guards of many streams, read consistently (0 for streams never processed). */
  appliedVersions(streamIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Processes `events` (one stream, ascending versions) past `appliedVersion`, reading versions
   * missing before a handled event from the store. Stops at the first event that fails.
   */
  apply(
    streamId: string,
    events: readonly EventToApply[],
    appliedVersion: number,
    readFromStore: ReadFromStore,
  ): Promise<StreamApplyResult>;
}

/** A stream as a consumer reads it: its id, the types it handles, and the events table. */
export interface StreamSource {
  readonly streamId: string;
  readonly handles: ReadonlySet<string>;
  readonly readFromStore: ReadFromStore;
}

/**
 * The events to process after `appliedVersion`, contiguous from `appliedVersion + 1` up to the
 * last handled event: the delivered ones, and the versions missing before a handled event read
 * from the store (a consumer's guard only moves with handled events, so the versions since
 * are usually types it ignores; the store says which, or holds a handled event delivery
 * skipped). Unhandled events after the last handled one follow while they are contiguous: they
 * cost nothing. Stops with a `gap` at a version the store does not have.
 */
export async function contiguousEvents(
  stream: StreamSource,
  delivered: readonly EventToApply[],
  appliedVersion: number,
): Promise<{ events: EventToApply[]; gap?: StreamFailure }> {
  const pending = delivered.filter(({ event }) => event.version > appliedVersion);
  const lastHandled = pending.findLastIndex(({ event }) => stream.handles.has(event.type));
  const events: EventToApply[] = [];
  let expected = appliedVersion + 1;
  for (const [index, next] of pending.entries()) {
    const { version } = next.event;
    if (version < expected) continue; // delivered twice, or already read from the store
    if (version > expected) {
      if (index > lastHandled) break; // nothing handled beyond the hole: no need to read it
      expected = await fillFromStore(stream, events, { from: expected, to: version - 1 });
      if (expected < version) return { events, gap: gapBefore(stream.streamId, expected, version) };
    }
    events.push(next);
    expected = version + 1;
  }
  return { events };
}

/** Appends the versions `from`..`to` the store holds, up to its first hole; the next version due. */
async function fillFromStore(
  stream: StreamSource,
  events: EventToApply[],
  range: { readonly from: number; readonly to: number },
): Promise<number> {
  let expected = range.from;
  for (const read of await stream.readFromStore(stream.streamId, range.from, range.to)) {
    if (read.event.version !== expected) break;
    events.push(read);
    expected += 1;
  }
  return expected;
}

function gapBefore(streamId: string, missing: number, waiting: number): StreamFailure {
  return {
    kind: 'gap',
    version: missing,
    // Recorded as the stream's failure, never thrown: its message is what an operator reads.
    error: new Error(
      `Stream '${streamId}' has no version ${missing} in the events table yet; ` +
        `version ${waiting} waits for it`,
    ),
  };
}
