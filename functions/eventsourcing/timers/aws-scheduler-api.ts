import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  paginateListSchedules,
  UpdateScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { ScheduleDefinition, SchedulerApi } from './scheduler-api.js';

/** EventBridge Scheduler itself: each call is the service's, errors included. */
export function awsSchedulerApi(client: SchedulerClient): SchedulerApi {
  return {
    async create(schedule) {
      await client.send(new CreateScheduleCommand(schedule));
    },
    async update(schedule) {
      await client.send(new UpdateScheduleCommand(schedule));
    },
    async delete({ Name, GroupName }) {
      await client.send(new DeleteScheduleCommand({ Name, GroupName }));
    },
    async get({ Name, GroupName }) {
      const found = await client.send(new GetScheduleCommand({ Name, GroupName }));
      const { ScheduleExpression, FlexibleTimeWindow, Target } = found;
      if (!ScheduleExpression || !FlexibleTimeWindow || !Target) {
        throw new Error(`Schedule ${Name} came back without its expression, window or target`);
      }
      const schedule: ScheduleDefinition = {
        Name,
        GroupName: found.GroupName,
        ScheduleExpression,
        ScheduleExpressionTimezone: found.ScheduleExpressionTimezone,
        FlexibleTimeWindow,
        ActionAfterCompletion: found.ActionAfterCompletion,
        State: found.State,
        Target,
      };
      return schedule;
    },
    async list(groupName) {
      const names: string[] = [];
      for await (const page of paginateListSchedules({ client }, { GroupName: groupName })) {
        for (const schedule of page.Schedules ?? []) if (schedule.Name) names.push(schedule.Name);
      }
      return names;
    },
  };
}
