import { accountDecider } from '../../functions/accounts/decider';
import { accountEvents } from '../../functions/accounts/events';
import type { Decider, NewEvent, RecordedEvent } from '../../functions/eventsourcing';
import { orderDecider } from '../../functions/orders/decider';
import { orderEvents } from '../../functions/orders/events';
import { transferDecider } from '../../functions/transfers/decider';
import { transferEvents } from '../../functions/transfers/events';

/** How the state of one kind of stream is folded from its events. */
export interface StreamFold {
  /** Name of the aggregate, e.g. `account`. */
  readonly kind: string;
  readonly initialState: unknown;
  evolve(state: unknown, event: RecordedEvent): unknown;
}

/** A decider as a fold over recorded events; it is only ever given its own stream's events. */
function foldOf<State, Event extends NewEvent>(
  kind: string,
  decider: Pick<Decider<never, State, Event>, 'initialState' | 'evolve'>,
): StreamFold {
  return {
    kind,
    initialState: decider.initialState,
    evolve: (state, event) => decider.evolve(state as State, event as unknown as Event),
  };
}

/** Each aggregate's stream id prefix and decider: what time travel folds a stream with. */
const folds: readonly (readonly [prefix: string, fold: StreamFold])[] = [
  [accountEvents.streamId(''), foldOf('account', accountDecider)],
  [orderEvents.streamId(''), foldOf('order', orderDecider)],
  [transferEvents.streamId(''), foldOf('transfer', transferDecider)],
];

/** The fold of the aggregate a stream belongs to, by its id's prefix. */
export function domainFoldOf(streamId: string): StreamFold | undefined {
  return folds.find(([prefix]) => streamId.startsWith(prefix))?.[1];
}
