import type { ConsumerDeclaration, ReactionDeclaration } from '../declaration/stream-hosts.js';
import type { TableAccess } from '../declaration/tables.js';
import type { ProcessManager } from './definition.js';

/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- each process has its own inputs and state */
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
