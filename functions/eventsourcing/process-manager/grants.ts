import type { FunctionDeclaration } from '../declaration/functions.js';
import type { ConsumerDeclaration, ReactionDeclaration } from '../declaration/stream-hosts.js';
import type { TableAccess } from '../declaration/tables.js';
import type { ProcessManager } from './definition.js';

/**
 * Any process manager, whatever its inputs and state. `ProcessInput<Event>` maps each of a
 * process's own event types to its input, which TypeScript cannot relate to the inputs of
 * `RecordedEvent` in either direction, so a list of different processes holds them as `any`.
 */
/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: inputs of different processes are unrelated mapped types */
export type AnyProcessManager = ProcessManager<any, any>;

/** A process manager as a context's module declares it: a reaction that also carries its definition. */
export type ProcessDeclaration = Extract<ReactionDeclaration, { kind: 'reaction' }> & {
  readonly process: AnyProcessManager;
};

export const isProcessDeclaration = (
  consumer: ConsumerDeclaration,
): consumer is ProcessDeclaration => 'process' in consumer;

const APPENDS: ReadonlySet<TableAccess> = new Set([
  'append',
  'appendAndScan',
  'readWrite',
  'readWriteAndScan',
]);

/**
 * The tables a process's commands write to that its declaration does not grant it (its own
 * streams are in the events table): each a problem naming the process and the table.
 */
export function processGrantProblems(name: string, declaration: ProcessDeclaration): string[] {
  const tables = new Set(['events', ...declaration.process.targets.map((target) => target.table)]);
  return [...tables]
    .filter((table) => !APPENDS.has(declaration.tables[table] as TableAccess))
    .map((table) => `process ${name} sends commands to table ${table} without append access to it`);
}

/** The process managers among consumers: what the timer target delivers timers to. */
export const processesOf = (
  consumers: Readonly<Record<string, ConsumerDeclaration>>,
): ProcessDeclaration[] => Object.values(consumers).filter(isProcessDeclaration);

/**
 * The timer target of a system with process managers (`trigger: 'timers'`): `entry` exports
 * `processTimerHandler(processes)`. It applies timers to the processes' instances, so it has
 * their grants, and schedules too (a timer's decision may set another).
 */
export function timerTargetFunction(
  processes: readonly ProcessDeclaration[],
  entry: string,
): FunctionDeclaration {
  return {
    description:
      "Delivers each process manager's timers to its instance, as EventBridge Scheduler invokes it.",
    entry,
    trigger: 'timers',
    memoryMb: 512,
    timeoutSeconds: 60,
    tables: Object.assign(
      {},
      ...processes.map((declaration) => declaration.tables),
    ) as FunctionDeclaration['tables'],
    timers: 'schedule',
  };
}
