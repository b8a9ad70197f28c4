import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterAll, describe, expect, it } from 'vitest';
import {
  declarationProblems,
  EVENTS_STREAM_MAPPING,
  hostFunction,
  type FunctionDeclaration,
  type SystemDeclaration,
} from '../../functions/eventsourcing/declaration';
import {
  atExpression,
  createTimerHandler,
  createTimerScheduler,
  directorySchedulerApi,
  InvalidTimerInputError,
  MAX_INPUT_BYTES,
  scheduleName,
  type ScheduleDefinition,
} from '../../functions/eventsourcing/timers';
import { systemDeclaration } from '../../lib/declaration';

const directories: string[] = [];
afterAll(() => directories.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const freshStore = () => {
  const directory = mkdtempSync(join(tmpdir(), 'timer-store-'));
  directories.push(directory);
  return { directory, api: directorySchedulerApi(directory) };
};

const schedule = (changes: Partial<ScheduleDefinition> = {}): ScheduleDefinition => ({
  Name: 'order-42-expiry',
  ScheduleExpression: 'at(2030-01-31T23:59:59)',
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: {
    Arn: 'arn:aws:lambda:local:000000000000:function:timers',
    RoleArn: 'arn:aws:iam::000000000000:role/timers',
    Input: '{"order":"42"}',
  },
  ...changes,
});
const withTarget = (changes: Partial<ScheduleDefinition['Target']>) =>
  schedule({ Target: { ...schedule().Target, ...changes } });

describe('the local schedule store', () => {
  it('creates, reads, lists, updates and deletes one JSON file per schedule', async () => {
    const { directory, api } = freshStore();
    await api.create(schedule());
    await expect(api.get({ Name: 'order-42-expiry' })).resolves.toEqual(schedule());
    await api.update(withTarget({ Input: '{"order":"43"}' }));
    await expect(api.get({ Name: 'order-42-expiry' })).resolves.toMatchObject({
      Target: { Input: '{"order":"43"}' },
    });
    await expect(api.list()).resolves.toEqual(['order-42-expiry']);
    expect(readdirSync(join(directory, 'default'))).toEqual(['order-42-expiry.json']);
    await api.delete({ Name: 'order-42-expiry' });
    await expect(api.list()).resolves.toEqual([]);
  });

  it('keeps groups apart, as the service does', async () => {
    const { api } = freshStore();
    await api.create(schedule({ GroupName: 'orders' }));
    await api.create(schedule());
    await expect(api.list('orders')).resolves.toEqual(['order-42-expiry']);
    await api.delete({ Name: 'order-42-expiry', GroupName: 'orders' });
    await expect(api.list()).resolves.toEqual(['order-42-expiry']);
  });

  it('answers ConflictException to a create of an existing name, ResourceNotFoundException for a missing one', async () => {
    const { api } = freshStore();
    await api.create(schedule());
    await expect(api.create(withTarget({ Input: '{}' }))).rejects.toBeInstanceOf(ConflictException);
    await expect(api.get({ Name: 'order-42-expiry' })).resolves.toEqual(schedule());
    const missing = { Name: 'never-made' };
    await expect(api.get(missing)).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(api.delete(missing)).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(api.update(schedule(missing))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(api.list()).resolves.toEqual(['order-42-expiry']);
  });

  it('lets exactly one of concurrent creates of one name win', async () => {
    const { api } = freshStore();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, n) => api.create(withTarget({ Input: `{"n":${n}}` }))),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    await expect(api.list()).resolves.toEqual(['order-42-expiry']);
  });

  it.each([
    ['an empty name', schedule({ Name: '' })],
    ['a name over 64 characters', schedule({ Name: 'n'.repeat(65) })],
    ['a name with a slash', schedule({ Name: 'orders/42' })],
    ['a bad group name', schedule({ GroupName: 'my group' })],
    ['a rate expression', schedule({ ScheduleExpression: 'rate(5 minutes)' })],
    ['an at() without seconds', schedule({ ScheduleExpression: 'at(2030-01-31T23:59)' })],
    [
      'an at() of a day that does not exist',
      schedule({ ScheduleExpression: 'at(2030-02-30T10:00:00)' }),
    ],
    ['another time zone', schedule({ ScheduleExpressionTimezone: 'Europe/Paris' })],
    ['a target without its role', withTarget({ RoleArn: '' })],
    ['an input that is not JSON', withTarget({ Input: '{order' })],
    ['an input over 256 KB', withTarget({ Input: JSON.stringify('x'.repeat(MAX_INPUT_BYTES)) })],
    ['too many retries', withTarget({ RetryPolicy: { MaximumRetryAttempts: 186 } })],
    ['too short an event age', withTarget({ RetryPolicy: { MaximumEventAgeInSeconds: 59 } })],
  ])('answers ValidationException to %s and writes nothing', async (_, refused) => {
    const { api } = freshStore();
    await expect(api.create(refused)).rejects.toBeInstanceOf(ValidationException);
    await expect(api.list()).resolves.toEqual([]);
  });

  it('takes an input of exactly 256 KB', async () => {
    const { api } = freshStore();
    const input = JSON.stringify('x'.repeat(MAX_INPUT_BYTES - 2));
    await expect(api.create(withTarget({ Input: input }))).resolves.toBeUndefined();
  });
});

describe('the timer scheduler', () => {
  const target = {
    targetArn: 'arn:aws:lambda:local:000000000000:function:timers',
    roleArn: 'arn:aws:iam::000000000000:role/timers',
    deadLetterArn: 'arn:aws:sqs:local:000000000000:timer-dead-letters',
    groupName: 'timers',
  };

  it('puts a one-time UTC schedule that deletes itself, replacing one of the same name', async () => {
    const { api } = freshStore();
    const timers = createTimerScheduler(api, target);
    await timers.put('t1', new Date('2030-05-01T08:00:00.250Z'), { step: 1 });
    await timers.put('t1', new Date('2030-05-01T09:00:00Z'), { step: 2 });
    await expect(api.get({ Name: 't1', GroupName: 'timers' })).resolves.toEqual({
      Name: 't1',
      GroupName: 'timers',
      ScheduleExpression: 'at(2030-05-01T09:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: target.targetArn,
        RoleArn: target.roleArn,
        Input: '{"step":2}',
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: target.deadLetterArn },
      },
    });
  });

  it('removes a schedule, and one already gone is fine', async () => {
    const { api } = freshStore();
    const timers = createTimerScheduler(api, target);
    await timers.put('t1', new Date('2030-05-01T08:00:00Z'), {});
    await timers.remove('t1');
    await timers.remove('t1');
    await expect(api.list('timers')).resolves.toEqual([]);
  });

  it('rounds a time up to the whole second, so a timer never fires early', () => {
    expect(atExpression(new Date('2030-05-01T08:00:00.001Z'))).toBe('at(2030-05-01T08:00:01)');
    expect(() => atExpression(new Date('not a date'))).toThrow(ValidationException);
  });

  it('names schedules validly and stably, whatever the parts', () => {
    const name = scheduleName('order-fulfilment', 'order/42 ü', 'payment-expiry');
    expect(name).toMatch(/^[0-9A-Za-z\-_.]{1,64}$/);
    expect(scheduleName('order-fulfilment', 'order/42 ü', 'payment-expiry')).toBe(name);
    expect(scheduleName('a', 'bc')).not.toBe(scheduleName('ab', 'c'));
  });
});

describe('the timer handler', () => {
  it("hands the schedule's input to deliver, as an object or as JSON text", async () => {
    const delivered: unknown[] = [];
    const handler = createTimerHandler((input) => {
      delivered.push(input);
      return Promise.resolve();
    });
    await handler({ order: '42' });
    await handler('{"order":"43"}');
    expect(delivered).toEqual([{ order: '42' }, { order: '43' }]);
  });

  it('fails on anything but a JSON object, so Scheduler retries and then dead-letters it', async () => {
    const handler = createTimerHandler(() => Promise.resolve());
    for (const event of ['{order', '[1]', null, 7]) {
      await expect(handler(event)).rejects.toBeInstanceOf(InvalidTimerInputError);
    }
  });
});

describe('the timers in a declaration', () => {
  const target: FunctionDeclaration = {
    description: 'Receives timers',
    entry: 'functions/system.ts',
    trigger: 'timers',
    memoryMb: 256,
    timeoutSeconds: 30,
    tables: {},
  };
  const scheduler: FunctionDeclaration = { ...target, trigger: 'http', timers: 'schedule' };
  /** The system's functions, without its own timer target and scheduling, and `functions`. */
  const withFunctions = (functions: Record<string, FunctionDeclaration>): SystemDeclaration => {
    const untimed = Object.entries(systemDeclaration.functions)
      .filter(([, fn]) => fn.trigger !== 'timers')
      .map(([key, { timers: _timers, ...fn }]): [string, FunctionDeclaration] => [key, fn]);
    return {
      ...systemDeclaration,
      functions: { ...Object.fromEntries(untimed), ...functions },
    };
  };

  it('has one target for every function that schedules', () => {
    expect(declarationProblems(withFunctions({ timerTarget: target, scheduler }))).toEqual([]);
  });

  it('refuses two targets, and scheduling with no target', () => {
    expect(declarationProblems(withFunctions({ one: target, two: target }))).toEqual([
      'timers have one target function; one, two have trigger timers',
    ]);
    expect(declarationProblems(withFunctions({ scheduler }))).toEqual([
      'function scheduler schedules timers, but no function has trigger timers',
    ]);
  });

  it("gives a stream host's function the timers of its consumers", () => {
    const reaction = { description: 'Reacts', kind: 'reaction', tables: {} } as const;
    const host = {
      ...EVENTS_STREAM_MAPPING,
      description: 'Reactions',
      entry: 'functions/system.ts',
      memoryMb: 256,
      timeoutSeconds: 30,
      batchSize: 10,
      consumers: { quiet: reaction },
    };
    expect(hostFunction(host).timers).toBeUndefined();
    const scheduling = {
      ...host,
      consumers: { ...host.consumers, late: { ...reaction, timers: 'schedule' } },
    } as const;
    expect(hostFunction(scheduling).timers).toBe('schedule');
  });
});
