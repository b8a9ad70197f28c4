import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResourceNotFoundException } from '@aws-sdk/client-scheduler';
import {
  DEFAULT_RETRY_POLICY,
  directorySchedulerApi,
  parseAtExpression,
  type ScheduleDefinition,
} from '../functions/eventsourcing/timers';

export interface TimerRunnerOptions {
  /** The directory of the schedules (`TIMER_SCHEDULES_DIR`). */
  readonly schedulesDir: string;
  /** Where schedules whose retries are spent go, one JSON file each, with their reason. */
  readonly deadLetterDir: string;
  /** The schedule group to fire (`default` when omitted). */
  readonly groupName?: string;
  /** Invokes the timer target with a schedule's input, parsed; a throw is a failed delivery. */
  readonly deliver: (input: unknown) => Promise<void>;
  readonly pollMs?: number;
  /** Wait before the first retry of a failed delivery; each later one waits twice as long. */
  readonly firstRetryMs?: number;
  readonly onError?: (message: string, error: unknown) => void;
}

export interface RunningTimers {
  /** Stops polling and waits for the deliveries in flight. */
  stop(): Promise<void>;
}

/** What a dead-letter file holds: the SQS message EventBridge Scheduler would send, as JSON. */
export interface TimerDeadLetter {
  readonly scheduleName: string;
  readonly groupName: string;
  /** The schedule's `Target.Input`, as sent (the message body in AWS). */
  readonly input: string | null;
  readonly targetArn: string | undefined;
  readonly errorCode: string;
  readonly reason: string;
  readonly exhaustedRetryCondition: 'MaximumRetryAttemptsExceeded' | 'MaximumEventAgeExceeded';
  readonly attempts: number;
  readonly failedAt: string;
}

/** The failures of a schedule so far, for that exact schedule (a replacement starts afresh). */
interface Failures {
  readonly schedule: string;
  readonly count: number;
  readonly retryAt: number;
}

const MAX_RETRY_WAIT_MS = 60_000;

async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, content, { flush: true });
  await rename(temporary, file);
}

/**
 * Fires the one-time schedules of a directory as EventBridge Scheduler fires its own: each due
 * schedule (one due while nothing ran fires at the first poll, late rather than never) is
 * delivered, then deleted (`ActionAfterCompletion: DELETE`, what every timer asks for). A failed
 * delivery is retried with exponential backoff until its retry policy's attempts or event age
 * run out, then written with its reason to the dead-letter directory and deleted: never dropped.
 * All state is in the files, so a new runner on the same directory carries on where a stopped
 * one left off (a retry count starts afresh).
 */
export function startTimerRunner(options: TimerRunnerOptions): RunningTimers {
  const api = directorySchedulerApi(options.schedulesDir);
  const groupName = options.groupName;
  const firstRetryMs = options.firstRetryMs ?? 1000;
  const failures = new Map<string, Failures>();
  const inFlight = new Map<string, Promise<void>>();
  const report = options.onError ?? (() => undefined);
  let polling: Promise<void> | undefined;
  let stopped = false;

  const present = async (name: string): Promise<ScheduleDefinition | undefined> => {
    try {
      return await api.get({ Name: name, GroupName: groupName });
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  };

  /** Deletes the schedule unless it was replaced meanwhile (the replacement fires in its turn). */
  const deleteIfUnchanged = async (name: string, fired: string) => {
    const now = await present(name);
    if (now && JSON.stringify(now) === fired) {
      await api.delete({ Name: name, GroupName: groupName }).catch((error: unknown) => {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      });
    }
  };

  const deadLetter = async (
    schedule: ScheduleDefinition,
    error: unknown,
    attempts: number,
    condition: TimerDeadLetter['exhaustedRetryCondition'],
  ) => {
    const letter: TimerDeadLetter = {
      scheduleName: schedule.Name,
      groupName: groupName ?? 'default',
      input: schedule.Target.Input ?? null,
      targetArn: schedule.Target.Arn,
      errorCode: error instanceof Error ? error.name : 'Error',
      reason: error instanceof Error ? error.message : String(error),
      exhaustedRetryCondition: condition,
      attempts,
      failedAt: new Date().toISOString(),
    };
    await mkdir(options.deadLetterDir, { recursive: true });
    await writeAtomically(
      join(options.deadLetterDir, `${Date.now()}-${schedule.Name}.json`),
      JSON.stringify(letter, null, 2),
    );
  };

  const fire = async (schedule: ScheduleDefinition, dueAt: number, failedBefore: number) => {
    const fingerprint = JSON.stringify(schedule);
    const input = schedule.Target.Input;
    try {
      await options.deliver(input === undefined ? null : JSON.parse(input));
    } catch (error) {
      const count = failedBefore + 1;
      const policy = { ...DEFAULT_RETRY_POLICY, ...schedule.Target.RetryPolicy };
      const condition =
        count > policy.MaximumRetryAttempts
          ? 'MaximumRetryAttemptsExceeded'
          : Date.now() - dueAt >= policy.MaximumEventAgeInSeconds * 1000
            ? 'MaximumEventAgeExceeded'
            : undefined;
      if (!condition) {
        const wait = Math.min(firstRetryMs * 2 ** (count - 1), MAX_RETRY_WAIT_MS);
        failures.set(schedule.Name, { schedule: fingerprint, count, retryAt: Date.now() + wait });
        report(`Timer ${schedule.Name} failed (attempt ${count}); retrying`, error);
        return;
      }
      await deadLetter(schedule, error, count, condition);
      report(`Timer ${schedule.Name} failed ${count} times; dead-lettered`, error);
    }
    failures.delete(schedule.Name);
    await deleteIfUnchanged(schedule.Name, fingerprint);
  };

  const consider = async (name: string, now: number) => {
    const schedule = await present(name);
    if (!schedule || schedule.State === 'DISABLED') return;
    const dueAt = parseAtExpression(schedule.ScheduleExpression).getTime();
    if (dueAt > now) return;
    const failed = failures.get(name);
    const sameSchedule = failed?.schedule === JSON.stringify(schedule);
    if (failed && sameSchedule && failed.retryAt > now) return;
    const delivery = fire(schedule, dueAt, sameSchedule ? failed.count : 0)
      .catch((error: unknown) => report(`Timer ${name} could not be completed`, error))
      .finally(() => inFlight.delete(name));
    inFlight.set(name, delivery);
  };

  const poll = async () => {
    const now = Date.now();
    const names = await api.list(groupName);
    // Forget the failures of schedules removed while they were being retried.
    for (const name of failures.keys()) if (!names.includes(name)) failures.delete(name);
    for (const name of names) {
      if (stopped) return;
      if (inFlight.has(name)) continue;
      await consider(name, now).catch((error: unknown) =>
        report(`Timer ${name} could not be read`, error),
      );
    }
  };

  const tick = () => {
    polling ??= poll()
      .catch((error: unknown) => report('The timer schedules could not be listed', error))
      .finally(() => (polling = undefined));
  };
  const interval = setInterval(tick, options.pollMs ?? 250);
  interval.unref();
  tick();

  return {
    async stop() {
      stopped = true;
      clearInterval(interval);
      await polling;
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
