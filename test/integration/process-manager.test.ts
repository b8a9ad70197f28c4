import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  EventCatalogue,
  EventStore,
  createDynamoDbClient,
  defineEvents,
  type Decider,
  type RecordedEvent,
  type RecordedEventOf,
} from '../../functions/eventsourcing';
import { ReactionRuntime } from '../../functions/eventsourcing/consumers/reaction';
import { createConsumerHost } from '../../functions/eventsourcing/hosts';
import {
  commandTarget,
  eventInput,
  instanceStreamId,
  processEvents,
  processManager,
  type ProcessInput,
  type ProcessOutput,
} from '../../functions/eventsourcing/process-manager';
import { processReaction } from '../../functions/eventsourcing/process-manager/reaction';
import {
  ProcessManagerRuntime,
  type TimerDelivery,
} from '../../functions/eventsourcing/process-manager/runtime';
import type { TimerScheduler } from '../../functions/eventsourcing/timers';
import { counter, type CounterCommand, type CounterState } from '../support/counter';
import { createTestTables, reactionOptions, type TestTables } from '../support/dynamodb';
import { insertRecord } from '../support/projection-fixture';
import { counterEventSchemas } from '../support/test-events';

const jobEvents = defineEvents({
  streamPrefix: 'job-',
  schemas: {
    JobStarted: z.object({ tallies: z.array(z.string()), by: z.int() }),
    JobCancelled: z.object({}),
  },
});
const approvalEvents = defineEvents({
  streamPrefix: 'approval-',
  schemas: { JobApproved: z.object({ jobId: z.string() }) },
});
const tallyEvents = defineEvents({ streamPrefix: 'tally-', schemas: counterEventSchemas });

type JobEvent =
  RecordedEventOf<typeof jobEvents.schemas> | RecordedEventOf<typeof approvalEvents.schemas>;

interface JobState {
  readonly tallies: readonly string[];
  readonly by: number;
  readonly started: boolean;
  readonly approved: boolean;
  readonly refused?: string;
}

/** When set, the tallies' decider fails as an unreachable service would: not a business refusal. */
let talliesDown = false;
const tallyDecider: Decider<CounterCommand, CounterState, RecordedEvent> = {
  ...(counter as unknown as Decider<CounterCommand, CounterState, RecordedEvent>),
  decide(command, state) {
    if (talliesDown) throw new Error('the tally service is down');
    return counter.decide(command, state) as unknown as RecordedEvent[];
  },
};
const tallies = commandTarget(tallyEvents, tallyDecider);

const complete: ProcessOutput = { type: 'CompleteProcess' };
const HOUR = 3_600_000;

/**
 * A job takes `by` from each of its tallies, and is done once it is approved, an approval being
 * an event of another stream that may come first. A tally that cannot give `by` refuses: the
 * tallies taken before it are given back. A job not approved within the hour ends by its timer.
 */
const jobProcess = processManager<JobEvent, JobState>({
  name: 'job',
  description: 'Takes from tallies until approved.',
  inputs: ['JobStarted', 'JobApproved', 'JobCancelled'],
  instanceOf: (input) =>
    input.type === 'JobApproved'
      ? (input.data as { jobId: string }).jobId
      : jobEvents.idOf(input.streamId),
  initialState: { tallies: [], by: 0, started: false, approved: false },
  evolve(state, input: ProcessInput<JobEvent>) {
    switch (input.type) {
      case 'JobStarted':
        return { ...state, ...input.data, started: true };
      case 'JobApproved':
        return { ...state, approved: true };
      case 'CommandRefused':
        return { ...state, refused: input.code };
      case 'JobCancelled':
      case 'TimerFired':
        return state;
    }
  },
  decide(input, state) {
    const giveBack = (names: readonly string[]) =>
      names.map((name) => tallies.send(name, { type: 'increment', by: state.by }));
    switch (input.type) {
      case 'JobStarted': {
        const take = state.tallies.map((name) =>
          tallies.send(name, { type: 'decrement', by: state.by }),
        );
        const deadline = new Date(Date.parse(input.at) + HOUR).toISOString();
        const timer: ProcessOutput = { type: 'ScheduleTimer', timer: 'deadline', at: deadline };
        return state.approved ? [...take, complete] : [...take, timer];
      }
      case 'JobApproved':
        return state.started ? [complete] : [];
      case 'CommandRefused': {
        const taken = state.tallies.slice(
          0,
          state.tallies.indexOf(tallyEvents.idOf(input.streamId)),
        );
        return [...giveBack(taken), complete];
      }
      case 'JobCancelled':
        return [...giveBack(state.tallies), complete];
      case 'TimerFired':
        return [complete];
    }
  },
  targets: [tallies],
});

/** A scheduler that keeps the schedules it is given, as EventBridge Scheduler would hold them. */
function keptSchedules(): TimerScheduler & { readonly schedules: Map<string, TimerDelivery> } {
  const schedules = new Map<string, TimerDelivery>();
  return {
    schedules,
    put: (name, _at, input) => {
      schedules.set(name, input as unknown as TimerDelivery);
      return Promise.resolve();
    },
    remove: (name) => {
      schedules.delete(name);
      return Promise.resolve();
    },
  };
}

let tables: TestTables;
let store: EventStore;
let run = 0;

beforeAll(async () => {
  tables = await createTestTables();
  store = new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue: EventCatalogue.combine(
      jobEvents.catalogue,
      approvalEvents.catalogue,
      tallyEvents.catalogue,
      processEvents.catalogue,
    ),
  });
});

const runtimeOn = (client: DynamoDBClient, timers: TimerScheduler = keptSchedules()) =>
  new ProcessManagerRuntime(jobProcess, {
    storage: { client, eventsTable: tables.names.events },
    timers,
  });

/** Fresh tallies holding `values`, and their names. */
async function talliesHolding(...values: number[]): Promise<string[]> {
  run++;
  return Promise.all(
    values.map(async (value, index) => {
      const name = `r${run}-${index}`;
      if (value > 0) {
        await store.append(
          tallyEvents.streamId(name),
          [{ type: 'Incremented', data: { by: value } }],
          {
            expectedVersion: 'no_stream',
          },
        );
      }
      return name;
    }),
  );
}

async function valuesOf(names: readonly string[]): Promise<number[]> {
  return Promise.all(
    names.map(async (name) => {
      const events = await store.read(tallyEvents.streamId(name));
      return events.reduce((value, event) => {
        const { by } = event.data as { by: number };
        return event.type === 'Incremented' ? value + by : value - by;
      }, 0);
    }),
  );
}

async function startJob(jobId: string, names: readonly string[], by = 1) {
  const { events } = await store.append(
    jobEvents.streamId(jobId),
    [{ type: 'JobStarted', data: { tallies: [...names], by } }],
    { expectedVersion: 'no_stream', metadata: { correlationId: `request-${jobId}` } },
  );
  return events[0] as JobEvent;
}

async function approve(jobId: string) {
  const { events } = await store.append(
    approvalEvents.streamId(jobId),
    [{ type: 'JobApproved', data: { jobId } }],
    { expectedVersion: 'no_stream' },
  );
  return events[0] as JobEvent;
}

const inputOf = (event: JobEvent) => eventInput(event) as ProcessInput<JobEvent>;

const typesOf = async (jobId: string) =>
  (await store.read(instanceStreamId('job', jobId))).map((event) => event.type);

/** A client whose `failAt`-th transaction dies: before DynamoDB sees it, or after it committed. */
function dyingClient(failAt: number, when: 'before' | 'after'): DynamoDBClient {
  const client = createDynamoDbClient({ endpoint: tables.endpoint, region: 'local' });
  let transactions = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      transactions++;
      if (transactions === failAt && when === 'before') throw new Error('killed before commit');
      const result = await next(args);
      if (transactions === failAt) throw new Error('killed after commit');
      return result;
    },
    { step: 'initialize' },
  );
  return client;
}

describe('a process manager over DynamoDB', () => {
  it('applies an input once however often and however concurrently it is delivered', async () => {
    const names = await talliesHolding(5, 5, 5);
    const started = await startJob(`dup-${run}`, names);
    const runtime = runtimeOn(tables.client);
    await runtime.receive(`dup-${run}`, inputOf(started), started);
    await runtime.receive(`dup-${run}`, inputOf(started), started);
    await Promise.all(
      Array.from({ length: 8 }, () =>
        runtimeOn(tables.client).receive(`dup-${run}`, inputOf(started), started),
      ),
    );
    expect(await valuesOf(names)).toEqual([4, 4, 4]);
    expect(await typesOf(`dup-${run}`)).toEqual([
      'ProcessInputApplied',
      'ProcessCommandDone',
      'ProcessCommandDone',
      'ProcessCommandDone',
    ]);
    // What it did carries on the request that started it.
    const [applied] = await store.read(instanceStreamId('job', `dup-${run}`));
    expect(applied!.metadata).toMatchObject({
      correlationId: `request-dup-${run}`,
      causationId: started.eventId,
    });
  });

  it('ends the same whichever stream’s input comes first', async () => {
    const names = await talliesHolding(3, 3);
    const inOrder = `order-a-${run}`;
    const reversed = `order-b-${run}`;
    const runtime = runtimeOn(tables.client);
    const startedA = await startJob(inOrder, names);
    const approvedA = await approve(inOrder);
    await runtime.receive(inOrder, inputOf(startedA), startedA);
    await runtime.receive(inOrder, inputOf(approvedA), approvedA);
    const approvedB = await approve(reversed);
    const startedB = await startJob(reversed, names);
    await runtime.receive(reversed, inputOf(approvedB), approvedB);
    await runtime.receive(reversed, inputOf(startedB), startedB);
    await runtime.receive(reversed, inputOf(approvedB), approvedB);

    const [a, b] = await Promise.all([runtime.load(inOrder), runtime.load(reversed)]);
    expect(a.completed && b.completed).toBe(true);
    expect(b.state).toEqual(a.state);
    expect(b.pending).toEqual([]);
    expect(await valuesOf(names)).toEqual([1, 1]);
  });

  it.each([
    [1, 'before'],
    [1, 'after'],
    [2, 'before'],
    [2, 'after'],
    [3, 'after'],
  ] as const)(
    'finishes every step exactly once after dying at transaction %i %s its commit',
    async (failAt, when) => {
      const names = await talliesHolding(2, 2, 2);
      const jobId = `crash-${run}`;
      const started = await startJob(jobId, names);
      const dying = dyingClient(failAt, when);
      await expect(runtimeOn(dying).receive(jobId, inputOf(started), started)).rejects.toThrow(
        /killed/,
      );
      dying.destroy();

      // The stream redelivers the event (a retry, or the instance's own record for a resume).
      const survivor = runtimeOn(tables.client);
      await survivor.resume(jobId);
      await survivor.receive(jobId, inputOf(started), started);
      await survivor.receive(jobId, inputOf(started), started);
      expect(await valuesOf(names)).toEqual([1, 1, 1]);
      expect((await survivor.load(jobId)).pending).toEqual([]);
    },
  );

  it('turns a refused command into an input, drops the rest of its decision and compensates', async () => {
    const names = await talliesHolding(5, 0, 5);
    const jobId = `refused-${run}`;
    const started = await startJob(jobId, names, 2);
    const runtime = runtimeOn(tables.client);
    const instance = await runtime.receive(jobId, inputOf(started), started);
    expect(instance.state.refused).toBe('BelowZero');
    expect(instance.completed).toBe(true);
    // The first was taken and given back, the second refused, the third never asked.
    expect(await valuesOf(names)).toEqual([5, 0, 5]);
    expect((await store.read(tallyEvents.streamId(names[2]!))).map((e) => e.type)).toEqual([
      'Incremented',
    ]);
  });

  it('schedules its timers, applies a firing once, ignores stale ones and removes them on completion', async () => {
    const names = await talliesHolding(1);
    const jobId = `timer-${run}`;
    const timers = keptSchedules();
    const runtime = runtimeOn(tables.client, timers);
    const started = await startJob(jobId, names);
    await runtime.receive(jobId, inputOf(started), started);
    const [delivery] = [...timers.schedules.values()];
    expect(delivery).toMatchObject({ process: 'job', instanceId: jobId, timer: 'deadline' });
    expect(Date.parse(delivery!.at) - Date.parse(started.recordedAt)).toBe(HOUR);

    const stale = runtime.timerInput({ ...delivery!, timerId: '999' });
    await runtime.receive(jobId, stale);
    expect((await runtime.load(jobId)).completed).toBe(false);
    // Fired, a one-time schedule deletes itself; a repeated delivery finds the timer applied.
    timers.schedules.clear();
    await runtime.receive(jobId, runtime.timerInput(delivery!));
    await runtime.receive(jobId, runtime.timerInput(delivery!));
    const instance = await runtime.load(jobId);
    expect(instance.completed).toBe(true);
    expect(instance.timers.size).toBe(0);
    expect(await typesOf(jobId)).toEqual([
      'ProcessInputApplied',
      'ProcessCommandDone',
      'ProcessInputApplied',
    ]);

    // A job approved before its timer fires removes the schedule with its completion.
    const approvedJob = `timer-approved-${run}`;
    const other = await startJob(approvedJob, names.slice(0, 0));
    await runtime.receive(approvedJob, inputOf(other), other);
    expect(timers.schedules.size).toBe(1);
    const approval = await approve(approvedJob);
    await runtime.receive(approvedJob, inputOf(approval), approval);
    expect(timers.schedules.size).toBe(0);
  });

  it('parks a step that keeps failing with its reason, and a redrive completes it', async () => {
    const names = await talliesHolding(3, 3);
    const jobId = `parked-${run}`;
    const options = reactionOptions(tables);
    const reaction = processReaction(jobProcess, () => runtimeOn(tables.client));
    const host = createConsumerHost({
      consumers: [reaction],
      decode: (event) => event,
      ...options,
    });
    const started = await startJob(jobId, names);
    const cancelled = (
      await store.append(jobEvents.streamId(jobId), [{ type: 'JobCancelled', data: {} }], {
        expectedVersion: 1,
      })
    ).events[0]!;
    await host({ Records: [insertRecord(started)] });
    expect(await valuesOf(names)).toEqual([2, 2]);

    // The compensation of a cancel fails: delivered twice, the job's stream is parked with why.
    talliesDown = true;
    try {
      for (let attempt = 0; attempt < 2; attempt++)
        await host({ Records: [insertRecord(cancelled)] });
      const runtime = new ReactionRuntime(reaction, options);
      const parked = await runtime.redrive([jobEvents.streamId(jobId)]);
      expect(parked[0]).toMatchObject({ streamId: jobEvents.streamId(jobId) });
      expect(parked[0]?.failure?.error.message).toBe('the tally service is down');
      expect(await valuesOf(names)).toEqual([2, 2]);
    } finally {
      talliesDown = false;
    }
    const outcomes = await new ReactionRuntime(reaction, options).redrive([
      jobEvents.streamId(jobId),
    ]);
    expect(outcomes[0]).toMatchObject({ released: true });
    expect(outcomes[0]?.failure).toBeUndefined();
    expect(await valuesOf(names)).toEqual([3, 3]);
    expect((await runtimeOn(tables.client).load(jobId)).completed).toBe(true);
  });
});
