import type { RecordedEvent } from '../../../functions/eventsourcing';
import type {
  PendingCommand,
  PendingTimer,
  ProcessInput,
  ProcessInstance,
  ProcessOutput,
} from '../../../functions/eventsourcing/process-manager';
import type { ParkedStream } from '../../../functions/eventsourcing/hosts';

/** A command an instance decided and has not sent yet. */
export interface PendingCommandView {
  readonly commandId: string;
  readonly streamId: string;
  readonly type: string;
}

/** A timer an instance keeps scheduled. */
export interface TimerView {
  readonly timer: string;
  readonly at: string;
  /** Its time has passed and it has not fired (or its firing is not applied yet). */
  readonly overdue: boolean;
}

/** What every view of an instance says: where it is, and what it still has to do. */
interface InstanceView {
  readonly instanceId: string;
  readonly streamId: string;
  readonly version: number;
  readonly completed: boolean;
  readonly pending: readonly PendingCommandView[];
  readonly timers: readonly TimerView[];
}

/** One instance in a process's list. */
export interface InstanceSummary extends InstanceView {
  /** When its stream was last written. */
  readonly lastAt: string;
  /** Its state as one line of JSON, cut short when long. */
  readonly state: string;
}

/** A process manager's instances: how many run and are completed, the newest running ones. */
export interface ProcessOverview {
  readonly name: string;
  readonly description: string;
  readonly running: number;
  readonly completed: number;
  /** The newest running instances, newest first. */
  readonly instances: readonly InstanceSummary[];
  /** The streams its consumer is failing on or has parked, with their reasons. */
  readonly parked: readonly ParkedStream[];
}

/** An output as it was decided, with a line that says what it does. */
export interface DescribedOutput {
  readonly text: string;
  readonly output: ProcessOutput;
}

/** One event of an instance's stream: an input applied with its outputs, or a command sent. */
export type InstanceStep =
  | {
      readonly kind: 'input';
      readonly version: number;
      readonly at: string;
      readonly inputId: string;
      readonly type: string;
      readonly input: ProcessInput;
      readonly outputs: readonly DescribedOutput[];
    }
  | {
      readonly kind: 'command-done';
      readonly version: number;
      readonly at: string;
      readonly commandId: string;
    };

/** One instance in full: its state, every step of its stream, what it still has to do. */
export interface InstanceDetail extends InstanceView {
  readonly process: string;
  readonly state: unknown;
  readonly history: readonly InstanceStep[];
}

const STATE_CHARS = 120;

export const oneLine = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > STATE_CHARS ? `${text.slice(0, STATE_CHARS - 1)}…` : text;
};

const pendingView = (command: PendingCommand): PendingCommandView => ({
  commandId: command.commandId,
  streamId: command.streamId,
  type: command.command.type,
});

function describeOutput(output: ProcessOutput): string {
  switch (output.type) {
    case 'SendCommand':
      return `send ${output.command.type} to ${output.streamId}`;
    case 'ScheduleTimer':
      return `schedule timer ${output.timer} at ${output.at}`;
    case 'CancelTimer':
      return `cancel timer ${output.timer}`;
    case 'CompleteProcess':
      return `complete${output.reason ? `: ${output.reason}` : ''}`;
  }
}

export const stepOf = (event: RecordedEvent): InstanceStep => {
  if (event.type === 'ProcessCommandDone') {
    const { commandId } = event.data as { commandId: string };
    return { kind: 'command-done', version: event.version, at: event.recordedAt, commandId };
  }
  const { inputId, input, outputs } = event.data as {
    inputId: string;
    input: ProcessInput;
    outputs: ProcessOutput[];
  };
  return {
    kind: 'input',
    version: event.version,
    at: event.recordedAt,
    inputId,
    type: input.type,
    input,
    outputs: outputs.map((output) => ({ text: describeOutput(output), output })),
  };
};

/** What an instance still has to do, its timers marked overdue as of `now`. */
export function todoOf(
  instance: ProcessInstance<unknown>,
  now: number,
): Pick<InstanceView, 'pending' | 'timers'> {
  const timerView = (timer: PendingTimer): TimerView => ({
    timer: timer.timer,
    at: timer.at,
    overdue: Date.parse(timer.at) <= now,
  });
  return {
    pending: instance.pending.map(pendingView),
    timers: [...instance.timers.values()].map(timerView),
  };
}
