/**
 * The variables through which a function that schedules timers learns where they go; the CDK
 * app sets them on every function declared with `timers: 'schedule'`, the local stack on all.
 */
export const TIMER_VARIABLES = {
  group: 'TIMER_SCHEDULE_GROUP',
  targetArn: 'TIMER_TARGET_ARN',
  roleArn: 'TIMER_ROLE_ARN',
  deadLetterArn: 'TIMER_DEAD_LETTER_ARN',
  /** Set locally only: the directory holding the schedules instead of EventBridge Scheduler. */
  schedulesDir: 'TIMER_SCHEDULES_DIR',
} as const;
