import type { Decider } from '../decider.js';
import type { DefinedEvents } from '../define-events.js';
import type { EventSchemas } from '../event-schemas.js';
import type { RepositoryOptions } from '../storage.js';
import type { NewEvent, RecordedEvent } from '../types.js';

/** An event a process manager subscribes to, as it receives it (and as its stream records it). */
export interface EventInput<Event extends RecordedEvent = RecordedEvent> {
  readonly type: Event['type'];
  readonly data: Event['data'];
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  /** When the event was recorded. */
  readonly at: string;
}

/** One of the process's timers came due, as it was scheduled (`ScheduleTimer`). */
export interface TimerFired {
  readonly type: 'TimerFired';
  readonly timer: string;
  /** Which scheduling of the timer fired: a timer scheduled again fires under a new id. */
  readonly timerId: string;
  /** When it was due. */
  readonly at: string;
}

/** A command the process sent was refused by its target's business rules. */
export interface CommandRefused {
  readonly type: 'CommandRefused';
  readonly commandId: string;
  readonly streamId: string;
  readonly command: Readonly<Record<string, unknown>> & { readonly type: string };
  readonly code: string;
  readonly message: string;
  /** When the refusal was met. */
  readonly at: string;
}

/** What a process manager's `evolve` and `decide` receive. */
export type ProcessInput<Event extends RecordedEvent = RecordedEvent> =
  | { readonly [Type in Event['type']]: EventInput<Extract<Event, { type: Type }>> }[Event['type']]
  | TimerFired
  | CommandRefused;

export const isTimerFired = (input: { readonly type: string }): input is TimerFired =>
  input.type === 'TimerFired';

export const isCommandRefused = (input: { readonly type: string }): input is CommandRefused =>
  input.type === 'CommandRefused';

/** A command to another aggregate's stream: see `commandTarget`. */
export interface SendCommand {
  readonly type: 'SendCommand';
  readonly streamId: string;
  readonly command: Readonly<Record<string, unknown>> & { readonly type: string };
}

/** Schedules the timer `timer` for `at` (ISO-8601), replacing an earlier scheduling of it. */
export interface ScheduleTimer {
  readonly type: 'ScheduleTimer';
  readonly timer: string;
  readonly at: string;
}

export interface CancelTimer {
  readonly type: 'CancelTimer';
  readonly timer: string;
}

/** The process is over: later inputs are ignored, its pending timers cancelled. */
export interface CompleteProcess {
  readonly type: 'CompleteProcess';
  readonly reason?: string;
}

/**
 * What a decision asks for. Other systems learn of a process from the events its commands
 * append: each context publishes its own events through its integration mapping.
 */
export type ProcessOutput = SendCommand | ScheduleTimer | CancelTimer | CompleteProcess;

/**
 * An aggregate a process sends commands to: its events (stream prefix and catalogue) and its
 * decider. The process's runtime loads the target, runs `decide` and appends the events in one
 * transaction with the process's own record; a `DomainError` comes back as `CommandRefused`.
 */
export interface CommandTarget<Command = unknown, State = unknown> {
  readonly events: Pick<DefinedEvents<EventSchemas>, 'owns' | 'streamId' | 'catalogue'>;
  readonly decider: Decider<Command, State, NewEvent>;
  /** The target's snapshots, when its streams are long (see `RepositoryOptions`). */
  readonly snapshots?: RepositoryOptions<NewEvent>['snapshots'];
  /** The table its streams are in: the process's declaration must grant it `append`. */
  readonly table: string;
  /** The output sending `command` to the aggregate `id`. */
  send(id: string, command: Command & { readonly type: string }): SendCommand;
}

/** Any aggregate's target, whatever its commands and state (methods take their own). */
export type AnyCommandTarget = CommandTarget<unknown, unknown>;

/** Declares an aggregate as a process's command target (its streams in the `events` table). */
export function commandTarget<
  Schemas extends EventSchemas,
  Command extends { type: string },
  State,
>(
  events: DefinedEvents<Schemas>,
  decider: Decider<Command, State, NewEvent>,
  options: {
    readonly snapshots?: RepositoryOptions<NewEvent>['snapshots'];
    readonly table?: string;
  } = {},
): CommandTarget<Command, State> {
  return {
    events,
    decider,
    table: options.table ?? 'events',
    ...(options.snapshots ? { snapshots: options.snapshots } : {}),
    send: (id, command) => ({
      type: 'SendCommand',
      streamId: events.streamId(id),
      command,
    }),
  };
}

/**
 * A long-running process across aggregates (a saga): it receives the events it subscribes to,
 * its own timers and the refusals of its commands, folds them into its state and decides what
 * to do next. Each instance has its own stream (`process-<name>-<instance>`) recording every
 * input it applied and every output it decided; the runtime applies each input exactly once,
 * however often and in whatever order inputs arrive.
 */
export interface ProcessManager<Event extends RecordedEvent = RecordedEvent, State = unknown> {
  /** Stable name: its consumer name, part of its instances' stream ids and timer names. */
  readonly name: string;
  readonly description: string;
  /** The event types it receives. */
  readonly inputs: readonly Event['type'][];
  /**
   * The types that start an instance: other inputs for an instance not started are skipped.
   * Without it any input starts one. List it only when the inputs that start come first in their
   * own stream, or when an input before a start means nothing to the process: an input skipped
   * is not seen again.
   */
  readonly startsWith?: readonly Event['type'][];
  /** The instance an event belongs to (a correlation key such as the order id), if any. */
  readonly instanceOf: (event: EventInput<Event>) => string | undefined;
  readonly initialState: State;
  readonly evolve: (state: State, input: ProcessInput<Event>) => State;
  /** What to do after `input`, given the state that includes it. Pure. */
  readonly decide: (input: ProcessInput<Event>, state: State) => readonly ProcessOutput[];
  /** The aggregates its commands go to. */
  readonly targets: readonly AnyCommandTarget[];
}

/** Declares a process manager: `processManager<OrderEvent | ProductEvent, FulfilmentState>({…})`. */
export const processManager = <Event extends RecordedEvent, State>(
  definition: ProcessManager<Event, State>,
): ProcessManager<Event, State> => definition;
