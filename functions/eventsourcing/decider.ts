import type { NewEvent } from './types.js';

/**
 * An aggregate as three pure functions (the decider pattern): no I/O, no clock, no randomness
 * except what the command carries, so it is tested without a database.
 */
export interface Decider<Command, State, Event extends NewEvent> {
  readonly initialState: State;
  /** Folds one event into the state. Must accept every event `decide` ever produced. */
  evolve(state: State, event: Event): State;
  /** Returns the events the command causes, or throws a `DomainError` when a rule forbids it. */
  decide(command: Command, state: State): readonly Event[];
}

export function fold<State, Event extends NewEvent>(
  decider: Pick<Decider<unknown, State, Event>, 'evolve'>,
  state: State,
  events: Iterable<Event>,
): State {
  let current = state;
  for (const event of events) current = decider.evolve(current, event);
  return current;
}
