import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScheduleDefinition, ScheduleKey, SchedulerApi } from './scheduler-api.js';
import { schedulerErrors } from './scheduler-errors.js';
import { checkKey, checkSchedule } from './schedule-rules.js';

const DEFAULT_GROUP = 'default';
const SUFFIX = '.json';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * EventBridge Scheduler on this machine: one JSON file per schedule under
 * `<directory>/<group>/<name>.json`, with the service's checks and errors. Every write goes to a
 * temporary file first and then takes the schedule's name in one step (a create by hard link,
 * which fails when the name exists; an update by rename), so a reader or a crash never sees half
 * a schedule and two creates of one name never both succeed.
 */
export function directorySchedulerApi(directory: string): SchedulerApi {
  const groupDir = (group: string | undefined) => join(directory, group ?? DEFAULT_GROUP);
  const fileOf = ({ Name, GroupName }: ScheduleKey) => join(groupDir(GroupName), Name + SUFFIX);
  const notFound = ({ Name }: ScheduleKey) =>
    schedulerErrors.notFound(`Schedule ${Name} does not exist.`);

  async function writeTemporary(schedule: ScheduleDefinition): Promise<string> {
    await mkdir(groupDir(schedule.GroupName), { recursive: true });
    const temporary = `${fileOf(schedule)}.${randomUUID()}.tmp`;
    await writeFile(temporary, JSON.stringify(schedule), { flush: true });
    return temporary;
  }

  async function get(key: ScheduleKey): Promise<ScheduleDefinition> {
    checkKey(key);
    try {
      return JSON.parse(await readFile(fileOf(key), 'utf8')) as ScheduleDefinition;
    } catch (error) {
      throw isMissing(error) ? notFound(key) : error;
    }
  }

  return {
    async create(schedule) {
      checkSchedule(schedule);
      const temporary = await writeTemporary(schedule);
      try {
        await link(temporary, fileOf(schedule));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        throw schedulerErrors.conflict(`Schedule ${schedule.Name} already exists.`);
      } finally {
        await unlink(temporary);
      }
    },
    async update(schedule) {
      checkSchedule(schedule);
      await get(schedule);
      await rename(await writeTemporary(schedule), fileOf(schedule));
    },
    async delete(key) {
      checkKey(key);
      try {
        await unlink(fileOf(key));
      } catch (error) {
        throw isMissing(error) ? notFound(key) : error;
      }
    },
    get,
    async list(groupName) {
      try {
        const files = await readdir(groupDir(groupName));
        return files
          .filter((file) => file.endsWith(SUFFIX))
          .map((file) => file.slice(0, -SUFFIX.length));
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
    },
  };
}
