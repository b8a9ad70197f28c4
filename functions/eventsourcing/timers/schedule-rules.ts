import type { RetryPolicy } from '@aws-sdk/client-scheduler';
import type { ScheduleDefinition, ScheduleKey } from './scheduler-api.js';
import { schedulerErrors } from './scheduler-errors.js';

/** EventBridge Scheduler's pattern for schedule and group names. */
const NAME_PATTERN = /^[0-9a-zA-Z\-_.]{1,64}$/;
const AT_PATTERN = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;

/** The largest `Target.Input` EventBridge Scheduler takes: 256 KB. */
export const MAX_INPUT_BYTES = 256 * 1024;
/** EventBridge Scheduler's bounds for a target's retry policy. */
export const RETRY_POLICY_BOUNDS = {
  MaximumRetryAttempts: { min: 0, max: 185 },
  MaximumEventAgeInSeconds: { min: 60, max: 86_400 },
} as const;
/** The retry policy EventBridge Scheduler applies when a target names none. */
export const DEFAULT_RETRY_POLICY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };

/** `at(yyyy-mm-ddThh:mm:ss)` of an instant, in UTC, its milliseconds rounded up. */
export function atExpression(at: Date): string {
  if (Number.isNaN(at.getTime())) throw schedulerErrors.invalid('The time of a timer is invalid');
  const wholeSeconds = new Date(Math.ceil(at.getTime() / 1000) * 1000);
  return `at(${wholeSeconds.toISOString().slice(0, 19)})`;
}

/** The UTC instant of an `at(…)` expression; `ValidationException` for anything else. */
export function parseAtExpression(expression: string): Date {
  const parts = AT_PATTERN.exec(expression)?.slice(1).map(Number);
  if (parts) {
    const [year, month, day, hour, minute, second] = parts as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    const exact =
      at.getUTCFullYear() === year &&
      at.getUTCMonth() === month - 1 &&
      at.getUTCDate() === day &&
      at.getUTCHours() === hour &&
      at.getUTCMinutes() === minute &&
      at.getUTCSeconds() === second;
    if (exact) return at;
  }
  throw schedulerErrors.invalid(
    `Invalid Schedule Expression ${expression}: one-time schedules take at(yyyy-mm-ddThh:mm:ss)`,
  );
}

/** Refuses a schedule or group name EventBridge Scheduler would refuse. */
export function checkKey({ Name, GroupName }: ScheduleKey): void {
  if (!NAME_PATTERN.test(Name)) {
    throw schedulerErrors.invalid(
      `Schedule name '${Name}' must be 1 to 64 letters, digits, hyphens, underscores or dots`,
    );
  }
  if (GroupName !== undefined && !NAME_PATTERN.test(GroupName)) {
    throw schedulerErrors.invalid(
      `Group name '${GroupName}' must be 1 to 64 letters, digits, hyphens, underscores or dots`,
    );
  }
}

function checkRetryPolicy(policy: RetryPolicy) {
  for (const [field, { min, max }] of Object.entries(RETRY_POLICY_BOUNDS)) {
    const value = policy[field as keyof typeof RETRY_POLICY_BOUNDS];
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
      throw schedulerErrors.invalid(
        `RetryPolicy.${field} must be an integer from ${min} to ${max}`,
      );
    }
  }
}

/**
 * Refuses what EventBridge Scheduler refuses of a one-time schedule invoking a Lambda function:
 * a bad name, an expression other than a real `at(…)` instant, a target without its ARN or role,
 * an input that is not JSON or is over 256 KB, a retry policy out of bounds. Only `at(…)`
 * expressions in UTC are taken: timers need nothing else.
 */
export function checkSchedule(schedule: ScheduleDefinition): void {
  checkKey(schedule);
  parseAtExpression(schedule.ScheduleExpression);
  if ((schedule.ScheduleExpressionTimezone ?? 'UTC') !== 'UTC') {
    throw schedulerErrors.invalid('Only UTC schedule expressions are supported here');
  }
  const { Target: target } = schedule;
  if (!target.Arn || !target.RoleArn) {
    throw schedulerErrors.invalid('A target needs its Arn and RoleArn');
  }
  if (target.Input !== undefined) {
    if (Buffer.byteLength(target.Input, 'utf8') > MAX_INPUT_BYTES) {
      throw schedulerErrors.invalid(`Target.Input is over ${MAX_INPUT_BYTES} bytes`);
    }
    try {
      JSON.parse(target.Input);
    } catch {
      throw schedulerErrors.invalid('The input of a Lambda target must be well-formed JSON');
    }
  }
  if (target.RetryPolicy) checkRetryPolicy(target.RetryPolicy);
}
