import type { EventStore, RecordedEvent } from '../../../functions/eventsourcing';
import type { StreamFold } from '../deciders';

/** A stream's events, and the state its decider folds after each of them. */
export interface StreamHistory {
  readonly streamId: string;
  /** The aggregate the stream belongs to, when a decider is known for it. */
  readonly kind?: string;
  readonly events: readonly RecordedEvent[];
  /** `states[i]` is the state after `events[i]`; absent without a decider. */
  readonly states?: readonly unknown[];
  /** More events follow the ones read. */
  readonly truncated: boolean;
}

/** Events read at most by one history (time travel over longer streams shows the first ones). */
const MAX_HISTORY_EVENTS = 1000;

/** Reads a stream (parsed by the store's catalogue) and folds every state along it. */
export async function streamHistory(
  store: Pick<EventStore, 'read'>,
  streamId: string,
  fold: StreamFold | undefined,
): Promise<StreamHistory> {
  const read = await store.read(streamId, { limit: MAX_HISTORY_EVENTS + 1 });
  const events = read.slice(0, MAX_HISTORY_EVENTS);
  const base = { streamId, events, truncated: read.length > events.length };
  if (!fold) return base;
  const states: unknown[] = [];
  let state = fold.initialState;
  for (const event of events) {
    state = fold.evolve(state, event);
    states.push(state);
  }
  return { ...base, kind: fold.kind, states };
}

/** Where time travel stops: at a version, or at the last event recorded at or before a time. */
export type HistoryPoint = { readonly version: number } | { readonly at: Date };

export interface StateAt {
  readonly version: number;
  readonly recordedAt?: string;
  readonly state: unknown;
}

/** The folded state at a point of the history (version 0 is the decider's initial state). */
export function stateAt(history: StreamHistory, point: HistoryPoint, fold: StreamFold): StateAt {
  const index =
    'version' in point
      ? history.events.findLastIndex((event) => event.version <= point.version)
      : history.events.findLastIndex((event) => Date.parse(event.recordedAt) <= point.at.getTime());
  if (index === -1) return { version: 0, state: fold.initialState };
  const event = history.events[index]!;
  return { version: event.version, recordedAt: event.recordedAt, state: history.states?.[index] };
}
