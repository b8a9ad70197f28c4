import { ConflictException, ResourceNotFoundException } from '@aws-sdk/client-scheduler';
import { ConfigurationError } from '../declaration/errors.js';
import { awsSchedulerApi } from './aws-scheduler-api.js';
import { directorySchedulerApi } from './directory-scheduler-api.js';
import type { ScheduleDefinition, SchedulerApi } from './scheduler-api.js';
import { createSchedulerClient } from './scheduler-client.js';
import { atExpression, DEFAULT_RETRY_POLICY } from './schedule-rules.js';
import { TIMER_VARIABLES } from './timer-environment.js';

export { scheduleName } from './schedule-names.js';
export { createTimerHandler } from './timer-handler.js';

/** One-time timers: what a process manager's runtime asks for. */
export interface TimerScheduler {
  /**
   * Creates the one-time schedule `name` that delivers `input` (a JSON document) to the timer
   * target at `at` (UTC, whole seconds), or replaces it if one of that name exists.
   */
  put(name: string, at: Date, input: Readonly<Record<string, unknown>>): Promise<void>;
  /** Deletes schedule `name`; one already gone (fired, deleted, never made) is fine. */
  remove(name: string): Promise<void>;
}

/** Where timers go: the target Scheduler invokes, as whom, and where what keeps failing ends. */
export interface TimerTarget {
  readonly groupName?: string;
  readonly targetArn: string;
  readonly roleArn: string;
  readonly deadLetterArn?: string;
  /** Scheduler's own default when omitted: 185 attempts within a day. */
  readonly retryPolicy?: {
    readonly MaximumRetryAttempts: number;
    readonly MaximumEventAgeInSeconds: number;
  };
}

/** Timers as one-time schedules of `api`, each deleted by the service once it has fired. */
export function createTimerScheduler(api: SchedulerApi, target: TimerTarget): TimerScheduler {
  return {
    async put(name, at, input) {
      const schedule: ScheduleDefinition = {
        Name: name,
        GroupName: target.groupName,
        ScheduleExpression: atExpression(at),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: target.targetArn,
          RoleArn: target.roleArn,
          Input: JSON.stringify(input),
          RetryPolicy: { ...(target.retryPolicy ?? DEFAULT_RETRY_POLICY) },
          ...(target.deadLetterArn ? { DeadLetterConfig: { Arn: target.deadLetterArn } } : {}),
        },
      };
      try {
        await api.create(schedule);
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
        await api.update(schedule);
      }
    },
    async remove(name) {
      try {
        await api.delete({ Name: name, GroupName: target.groupName });
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}

function required(variable: string): string {
  const value = process.env[variable];
  if (!value) throw new ConfigurationError(`Environment variable ${variable} is not set`);
  return value;
}

/** The timer target of this function's environment (`TIMER_*` variables). */
export function timerTargetFromEnv(): TimerTarget {
  const groupName = process.env[TIMER_VARIABLES.group];
  const deadLetterArn = process.env[TIMER_VARIABLES.deadLetterArn];
  return {
    targetArn: required(TIMER_VARIABLES.targetArn),
    roleArn: required(TIMER_VARIABLES.roleArn),
    ...(groupName ? { groupName } : {}),
    ...(deadLetterArn ? { deadLetterArn } : {}),
  };
}

/**
 * The scheduler of the environment: local (directory) when TIMER_SCHEDULES_DIR is set,
 * EventBridge Scheduler otherwise. It reads the environment and builds its client on first use,
 * so a module may create it as it loads.
 */
export function timerSchedulerFromEnv(): TimerScheduler {
  let scheduler: TimerScheduler | undefined;
  const resolve = () => {
    if (!scheduler) {
      const directory = process.env[TIMER_VARIABLES.schedulesDir];
      const api = directory
        ? directorySchedulerApi(directory)
        : awsSchedulerApi(createSchedulerClient());
      scheduler = createTimerScheduler(api, timerTargetFromEnv());
    }
    return scheduler;
  };
  return {
    put: (name, at, input) => resolve().put(name, at, input),
    remove: (name) => resolve().remove(name),
  };
}
