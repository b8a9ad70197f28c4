import type { StreamHead } from '../stream-head-items.js';

/**
 * When the streams of one kind move to the archive, declared by the context that owns them (its
 * module's `retention`). A stream is due once its last event is older than `inactiveDays`, or
 * once its last event is one of the `terminal` types (a closed account, a delivered order) and
 * `afterDays` old. A tombstoned stream is due at once, whatever its rule.
 */
export interface RetentionRule<Type extends string = string> {
  /** The streams it applies to: ids starting with this (the context's `streamPrefix`). */
  readonly streamPrefix: string;
  readonly inactiveDays?: number;
  readonly terminal?: { readonly events: readonly Type[]; readonly afterDays: number };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The rule for a stream: the one with the longest prefix it starts with. */
export function ruleFor(
  rules: readonly RetentionRule[],
  streamId: string,
): RetentionRule | undefined {
  return rules
    .filter((rule) => streamId.startsWith(rule.streamPrefix))
    .reduce<RetentionRule | undefined>(
      (best, rule) => (!best || rule.streamPrefix.length > best.streamPrefix.length ? rule : best),
      undefined,
    );
}

/** Why a stream is due for the archive now, or undefined when it is not. */
export function dueReason(
  rules: readonly RetentionRule[],
  head: StreamHead,
  now: Date,
): string | undefined {
  if (head.closed !== undefined) return 'tombstoned';
  const rule = ruleFor(rules, head.streamId);
  const age = now.getTime() - Date.parse(head.lastAt);
  if (!rule || Number.isNaN(age)) return undefined;
  if (rule.terminal?.events.includes(head.lastType) && age >= rule.terminal.afterDays * DAY_MS) {
    return `ended with ${head.lastType}`;
  }
  if (rule.inactiveDays !== undefined && age >= rule.inactiveDays * DAY_MS) {
    return `inactive for ${rule.inactiveDays} days`;
  }
  return undefined;
}

const isDays = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 36_500;

/** What is wrong with one rule, on its own. */
function ruleProblems(rule: RetentionRule, knownTypes: ReadonlySet<string>): string[] {
  const where = `retention of '${String(rule.streamPrefix)}'`;
  const problems: string[] = [];
  if (typeof rule.streamPrefix !== 'string' || rule.streamPrefix === '') {
    problems.push(`${where}: streamPrefix must be a non-empty string`);
  }
  if (rule.inactiveDays === undefined && rule.terminal === undefined) {
    problems.push(`${where}: give inactiveDays, terminal, or both`);
  }
  if (rule.inactiveDays !== undefined && !isDays(rule.inactiveDays)) {
    problems.push(`${where}: inactiveDays must be a whole number of days`);
  }
  if (rule.terminal) problems.push(...terminalProblems(where, rule.terminal, knownTypes));
  return problems;
}

function terminalProblems(
  where: string,
  terminal: NonNullable<RetentionRule['terminal']>,
  knownTypes: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  if (!isDays(terminal.afterDays)) {
    problems.push(`${where}: terminal.afterDays must be a whole number of days`);
  }
  const unknown = terminal.events.filter((type) => !knownTypes.has(type));
  if (terminal.events.length === 0 || unknown.length > 0) {
    problems.push(
      `${where}: terminal events must be event types of the system (unknown: ${unknown.join(', ') || 'none given'})`,
    );
  }
  return problems;
}

/** What is wrong with retention rules: a rule that could never apply or says nothing. */
export function retentionProblems(
  rules: readonly RetentionRule[],
  knownTypes: ReadonlySet<string>,
): string[] {
  const prefixes = rules.map((rule) => rule.streamPrefix);
  const twice = prefixes.filter((prefix, index) => prefixes.indexOf(prefix) !== index);
  return [
    ...rules.flatMap((rule) => ruleProblems(rule, knownTypes)),
    ...twice.map((prefix) => `retention of '${prefix}': declared twice`),
  ];
}
