import type { RecordedEvent } from '../types.js';
import {
  isCommandRefused,
  isTimerFired,
  type CommandRefused,
  type ProcessInput,
  type ProcessManager,
  type ProcessOutput,
  type SendCommand,
} from './definition.js';
import type { ProcessStreamEvent } from './process-events.js';

/** A command decided and not yet done: it goes out before any new input is applied. */
export interface PendingCommand extends SendCommand {
  /** `<version of the input that decided it>.<index among its outputs>`. */
  readonly commandId: string;
  /** The input that decided it: a refusal drops the rest of the same decision. */
  readonly decidedAt: number;
}

/** A timer scheduled and not yet fired or cancelled. */
export interface PendingTimer {
  readonly timer: string;
  readonly timerId: string;
  readonly at: string;
}

/** A process instance as its stream folds: the process's own state and the runtime's. */
export interface ProcessInstance<State> {
  readonly streamId: string;
  readonly version: number;
  readonly state: State;
  /** Ids of every input applied. */
  readonly applied: ReadonlySet<string>;
  readonly pending: readonly PendingCommand[];
  readonly timers: ReadonlyMap<string, PendingTimer>;
  readonly completed: boolean;
  /** The id and metadata of the last event of the stream: what its next step is caused by. */
  readonly last?: Pick<RecordedEvent, 'eventId' | 'metadata'>;
}

export const newInstance = <State>(streamId: string, state: State): ProcessInstance<State> => ({
  streamId,
  version: 0,
  state,
  applied: new Set(),
  pending: [],
  timers: new Map(),
  completed: false,
});

/** The id under which an input is recorded as applied. */
export function inputIdOf(input: ProcessInput<RecordedEvent>): string {
  if (isTimerFired(input)) return `timer:${input.timer}:${input.timerId}`;
  if (isCommandRefused(input)) return `refused:${input.commandId}`;
  return input.eventId;
}

/** The instance after one more event of its stream. */
export function evolveInstance<Event extends RecordedEvent, State>(
  definition: Pick<ProcessManager<Event, State>, 'evolve'>,
  instance: ProcessInstance<State>,
  event: Pick<ProcessStreamEvent, 'type' | 'data' | 'version' | 'eventId' | 'metadata'>,
): ProcessInstance<State> {
  const moved = {
    ...instance,
    version: event.version,
    last: { eventId: event.eventId, metadata: event.metadata },
  };
  if (event.type === 'ProcessCommandDone') {
    const { commandId } = event.data as { commandId: string };
    return { ...moved, pending: instance.pending.filter((c) => c.commandId !== commandId) };
  }
  const { inputId, input, outputs } = event.data as unknown as {
    inputId: string;
    input: ProcessInput;
    outputs: ProcessOutput[];
  };
  let pending = instance.pending;
  const timers = new Map(instance.timers);
  if (isCommandRefused(input)) {
    const refused = pending.find((c) => c.commandId === input.commandId);
    pending = pending.filter((c) => c.decidedAt !== refused?.decidedAt);
  }
  if (isTimerFired(input)) timers.delete(input.timer);
  let completed = instance.completed;
  outputs.forEach((output, index) => {
    switch (output.type) {
      case 'SendCommand':
        pending = [
          ...pending,
          { ...output, commandId: `${event.version}.${index}`, decidedAt: event.version },
        ];
        break;
      case 'ScheduleTimer':
        timers.set(output.timer, {
          timer: output.timer,
          timerId: String(event.version),
          at: output.at,
        });
        break;
      case 'CancelTimer':
        timers.delete(output.timer);
        break;
      case 'CompleteProcess':
        completed = true;
        break;
    }
  });
  const applied = new Set(instance.applied).add(inputId);
  const state = definition.evolve(instance.state, input as ProcessInput<Event>);
  return { ...moved, state, applied, pending, timers, completed };
}

/** Why an input is not applied, or the decision to record for it. */
export type InputDecision =
  | { readonly skip: 'applied' | 'not-started' | 'completed' | 'stale-timer' }
  | {
      readonly inputId: string;
      readonly input: ProcessInput;
      readonly outputs: readonly ProcessOutput[];
    };

/**
 * Whether `input` is to be applied to `instance` and, if so, the outputs it decides. An input
 * already applied, one for an instance not started (unless it starts one), one after the
 * process completed and a timer that is no longer the pending one are skipped: recording
 * nothing makes them harmless however often they come. A completed process's timers are
 * cancelled with its last decision.
 */
export function decideInput<Event extends RecordedEvent, State>(
  definition: Pick<ProcessManager<Event, State>, 'evolve' | 'decide' | 'startsWith'>,
  instance: ProcessInstance<State>,
  input: ProcessInput<Event>,
): InputDecision {
  const inputId = inputIdOf(input);
  const skip = skipped(definition, instance, input, inputId);
  if (skip) return { skip };
  const outputs = definition.decide(input, definition.evolve(instance.state, input));
  const completes = outputs.some((output) => output.type === 'CompleteProcess');
  return {
    inputId,
    input,
    outputs: completes ? [...outputs, ...timersLeft(instance, input, outputs)] : outputs,
  };
}

function skipped<Event extends RecordedEvent, State>(
  definition: Pick<ProcessManager<Event, State>, 'startsWith'>,
  instance: ProcessInstance<State>,
  input: ProcessInput<Event>,
  inputId: string,
): Extract<InputDecision, { skip: string }>['skip'] | undefined {
  if (instance.applied.has(inputId)) return 'applied';
  // A refusal is recorded even then: it is what clears its command from the pending ones.
  if (instance.completed && !isCommandRefused(input)) return 'completed';
  if (isTimerFired(input) && instance.timers.get(input.timer)?.timerId !== input.timerId) {
    return 'stale-timer';
  }
  const starts = definition.startsWith?.includes(input.type);
  if (instance.version === 0 && starts === false) return 'not-started';
  return undefined;
}

/** The cancellations of the timers still pending when the process completes. */
function timersLeft(
  instance: ProcessInstance<unknown>,
  input: ProcessInput,
  outputs: readonly ProcessOutput[],
): ProcessOutput[] {
  const named = new Set(outputs.flatMap((o) => (o.type === 'CancelTimer' ? [o.timer] : [])));
  if (isTimerFired(input)) named.add(input.timer);
  return [...instance.timers.keys()]
    .filter((timer) => !named.has(timer))
    .map((timer) => ({ type: 'CancelTimer', timer }));
}

/** The refusal input of a pending command its target refused. */
export const refusalOf = (
  command: PendingCommand,
  refusal: { readonly code: string; readonly message: string },
  at: string,
): CommandRefused => ({
  type: 'CommandRefused',
  commandId: command.commandId,
  streamId: command.streamId,
  command: command.command,
  code: refusal.code,
  message: refusal.message,
  at,
});
