import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FunctionDeclaration } from '../../functions/eventsourcing/declaration';
import {
  createTimerScheduler,
  directorySchedulerApi,
  timerSchedulerFromEnv,
  TIMER_VARIABLES,
  type TimerScheduler,
} from '../../functions/eventsourcing/timers';
import {
  startTimerRunner,
  type RunningTimers,
  type TimerDeadLetter,
  type TimerRunnerOptions,
} from '../../local/timer-runner';
import { startTimers, timerEnvironment } from '../../local/timers';
import { waitFor } from '../../local/wait-for';
import { receivedTimers } from '../fixtures/timer-target';

const directories: string[] = [];
const runners: RunningTimers[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});
afterAll(() => directories.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const temporary = (prefix: string) => {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  directories.push(directory);
  return directory;
};

const WAIT = { timeoutMs: 10_000, intervalMs: 20 };
const past = new Date(Date.now() - 60_000);
const later = new Date(Date.now() + 3_600_000);

/** A schedules directory, its dead letters, and a scheduler writing to it. */
function timerSetup(retryPolicy = { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 }) {
  const schedulesDir = temporary('timer-schedules-');
  const deadLetterDir = temporary('timer-dead-letters-');
  const api = directorySchedulerApi(schedulesDir);
  const timers: TimerScheduler = createTimerScheduler(api, {
    targetArn: 'arn:aws:lambda:local:000000000000:function:timers',
    roleArn: 'arn:aws:iam::000000000000:role/local-timers',
    retryPolicy,
  });
  const start = (options: Pick<TimerRunnerOptions, 'deliver'> & Partial<TimerRunnerOptions>) => {
    const runner = startTimerRunner({
      schedulesDir,
      deadLetterDir,
      pollMs: 20,
      firstRetryMs: 10,
      ...options,
    });
    runners.push(runner);
    return runner;
  };
  const deadLetters = () =>
    readdirSync(deadLetterDir)
      .filter((file) => file.endsWith('.json'))
      .map(
        (file) => JSON.parse(readFileSync(join(deadLetterDir, file), 'utf8')) as TimerDeadLetter,
      );
  const scheduled = () => api.list();
  const allGone = async () => ((await scheduled()).length === 0 ? true : undefined);
  return { timers, start, deadLetters, scheduled, allGone, schedulesDir, deadLetterDir };
}

describe('the local timer runner', () => {
  it('fires at start what fell due while nothing ran, the last input put, and nothing removed', async () => {
    const { timers, start, scheduled, allGone } = timerSetup();
    await timers.put('overdue', past, { step: 1 });
    await timers.put('overdue', past, { step: 2 });
    await timers.put('cancelled', past, { step: 3 });
    await timers.remove('cancelled');
    await timers.put('pending', later, { step: 4 });

    const delivered: unknown[] = [];
    start({ deliver: (input) => Promise.resolve(void delivered.push(input)) });
    await waitFor(async () => ((await scheduled()).includes('overdue') ? undefined : true), {
      ...WAIT,
      description: 'the overdue timer to fire and be deleted',
    });
    expect(delivered).toEqual([{ step: 2 }]);
    await expect(scheduled()).resolves.toEqual(['pending']);
    await timers.remove('pending');
    await waitFor(allGone, { ...WAIT, description: 'no schedule left' });
    expect(delivered).toEqual([{ step: 2 }]);
  });

  it('retries a failing delivery, then dead-letters it with its reason and deletes it', async () => {
    const { timers, start, deadLetters, allGone } = timerSetup();
    await timers.put('doomed', past, { order: '42' });
    await timers.put('flaky', past, { order: '43' });
    const attempts = new Map<string, number>();
    const delivered: unknown[] = [];
    start({
      deliver(input) {
        const order = (input as { order: string }).order;
        const attempt = (attempts.get(order) ?? 0) + 1;
        attempts.set(order, attempt);
        if (order === '42') return Promise.reject(new Error('target unavailable'));
        if (attempt < 2) return Promise.reject(new Error('cold start failed'));
        delivered.push(input);
        return Promise.resolve();
      },
    });
    await waitFor(allGone, { ...WAIT, description: 'both timers to be done with' });
    expect(attempts).toEqual(
      new Map([
        ['42', 3],
        ['43', 2],
      ]),
    );
    expect(delivered).toEqual([{ order: '43' }]);
    expect(deadLetters()).toEqual([
      expect.objectContaining({
        scheduleName: 'doomed',
        input: '{"order":"42"}',
        reason: 'target unavailable',
        errorCode: 'Error',
        exhaustedRetryCondition: 'MaximumRetryAttemptsExceeded',
        attempts: 3,
      }),
    ]);
  });

  it('carries on after a restart from the files alone, and a stop waits for deliveries in flight', async () => {
    const { timers, start, allGone, deadLetters } = timerSetup();
    await timers.put('interrupted', past, { order: '44' });
    let failures = 0;
    const first = start({
      deliver: () => Promise.reject(new Error(`failure ${++failures}`)),
      firstRetryMs: 3_600_000,
    });
    await waitFor(() => (failures === 1 ? true : undefined), {
      ...WAIT,
      description: 'the first delivery to fail',
    });
    await first.stop();

    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const delivered: unknown[] = [];
    const second = start({
      async deliver(input) {
        delivered.push(input);
        await held;
      },
    });
    await waitFor(() => (delivered.length === 1 ? true : undefined), {
      ...WAIT,
      description: 'the restarted runner to deliver the pending timer',
    });
    let stopped = false;
    const stopping = second.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    await expect(allGone()).resolves.toBe(true);
    expect(delivered).toEqual([{ order: '44' }]);
    expect(deadLetters()).toEqual([]);
  });
});

describe('timers in the local stack', () => {
  const target: FunctionDeclaration = {
    description: 'Receives timers',
    entry: 'test/fixtures/timer-target.ts',
    trigger: 'timers',
    memoryMb: 256,
    timeoutSeconds: 30,
    tables: {},
  };
  const saved = { ...process.env };
  afterEach(() => {
    for (const variable of Object.values(TIMER_VARIABLES)) {
      if (saved[variable] === undefined) delete process.env[variable];
      else process.env[variable] = saved[variable];
    }
  });

  it("go from any function's scheduler to the declared timers function", async () => {
    const { schedulesDir, deadLetterDir, allGone } = timerSetup();
    const functions = { timerTarget: target };
    Object.assign(process.env, timerEnvironment(schedulesDir, functions));
    await timerSchedulerFromEnv().put('reminder', past, { order: '45' });

    const running = await startTimers({ functions, schedulesDir, deadLetterDir });
    runners.push(running!);
    await waitFor(allGone, { ...WAIT, description: 'the reminder to fire' });
    expect(receivedTimers).toEqual([{ order: '45' }]);
  });

  it('do not run when no function receives them', async () => {
    const { schedulesDir, deadLetterDir } = timerSetup();
    expect(timerEnvironment(schedulesDir, {})).toEqual({});
    await expect(startTimers({ functions: {}, schedulesDir, deadLetterDir })).resolves.toBe(
      undefined,
    );
  });
});
