import { formatParked } from '../commands/parked';
import type {
  InstanceDetail,
  InstanceStep,
  PendingCommandView,
  ProcessOverview,
  TimerView,
} from '../process-instances';

const pendingLine = (command: PendingCommandView) =>
  `pending ${command.type} to ${command.streamId} (command ${command.commandId})`;

const timerLine = (timer: TimerView) =>
  `timer ${timer.timer} due ${timer.at}${timer.overdue ? ' (overdue)' : ''}`;

/** A process's instances and parked streams, as lines under its consumer's. */
export function overviewLines(overview: ProcessOverview): string[] {
  return [
    `  instances: ${overview.running} running, ${overview.completed} completed` +
      (overview.instances.length < overview.running
        ? `; the newest ${overview.instances.length} running:`
        : ''),
    ...overview.instances.flatMap((instance) => [
      `  ${instance.instanceId}\tversion ${instance.version}\tlast ${instance.lastAt}\t${instance.state}`,
      ...instance.pending.map((command) => `    ${pendingLine(command)}`),
      ...instance.timers.map((timer) => `    ${timerLine(timer)}`),
    ]),
    ...overview.parked.map((record) => `  ${formatParked(record)}`),
  ];
}

const stepLines = (step: InstanceStep) =>
  step.kind === 'command-done'
    ? [`  ${step.version}\t${step.at}\tcommand ${step.commandId} sent`]
    : [
        `  ${step.version}\t${step.at}\t${step.type}\t${step.inputId}`,
        ...step.outputs.map((output) => `      → ${output.text}`),
      ];

/** One instance in full. */
export function instanceLines(detail: InstanceDetail): string[] {
  return [
    `${detail.process} ${detail.instanceId}: ${detail.completed ? 'completed' : 'running'}, ` +
      `stream ${detail.streamId} at version ${detail.version}`,
    `State: ${JSON.stringify(detail.state, null, 2)}`,
    'Inputs applied and commands sent, in order:',
    ...detail.history.flatMap(stepLines),
    ...(detail.pending.length > 0 ? ['Pending commands:'] : []),
    ...detail.pending.map((command) => `  ${pendingLine(command)}`),
    ...(detail.timers.length > 0 ? ['Timers:'] : []),
    ...detail.timers.map((timer) => `  ${timerLine(timer)}`),
  ];
}
