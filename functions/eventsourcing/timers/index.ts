/**
 * `…/timers`: durable one-time timers on EventBridge Scheduler (a directory of schedules
 * locally), the timer target's handler, and the scheduler API both stand behind.
 */
export {
  createTimerHandler,
  createTimerScheduler,
  scheduleName,
  timerSchedulerFromEnv,
  timerTargetFromEnv,
  type TimerScheduler,
  type TimerTarget,
} from './timer-scheduler.js';
export type { ScheduleDefinition, ScheduleKey, SchedulerApi } from './scheduler-api.js';
export { awsSchedulerApi } from './aws-scheduler-api.js';
export { directorySchedulerApi } from './directory-scheduler-api.js';
export { createSchedulerClient } from './scheduler-client.js';
export {
  atExpression,
  DEFAULT_RETRY_POLICY,
  MAX_INPUT_BYTES,
  parseAtExpression,
  RETRY_POLICY_BOUNDS,
} from './schedule-rules.js';
export { InvalidTimerInputError } from './timer-errors.js';
export { TIMER_VARIABLES } from './timer-environment.js';
