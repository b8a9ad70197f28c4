import type {
  CreateScheduleCommandInput,
  FlexibleTimeWindow,
  Target,
} from '@aws-sdk/client-scheduler';

/**
 * A schedule as CreateSchedule and UpdateSchedule take it (an update replaces every field), with
 * the fields the service requires.
 */
export type ScheduleDefinition = CreateScheduleCommandInput & {
  readonly Name: string;
  readonly ScheduleExpression: string;
  readonly FlexibleTimeWindow: FlexibleTimeWindow;
  readonly Target: Target;
};

/** A schedule's identity: its name within its group (the `default` group when none is named). */
export interface ScheduleKey {
  readonly Name: string;
  readonly GroupName?: string | undefined;
}

/**
 * The part of EventBridge Scheduler's API that timers use, with its errors: `ConflictException`
 * when creating a name that exists, `ResourceNotFoundException` when updating, deleting or
 * getting one that does not, `ValidationException` for what the service refuses.
 */
export interface SchedulerApi {
  create(schedule: ScheduleDefinition): Promise<void>;
  update(schedule: ScheduleDefinition): Promise<void>;
  delete(key: ScheduleKey): Promise<void>;
  get(key: ScheduleKey): Promise<ScheduleDefinition>;
  /** The names of the schedules of one group. */
  list(groupName?: string): Promise<string[]>;
}
