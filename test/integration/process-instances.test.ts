import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  EventCatalogue,
  EventStore,
  defineEvents,
  type Decider,
  type NewEvent,
  type RecordedEventOf,
} from '../../functions/eventsourcing';
import type { ConsumerHost } from '../../functions/eventsourcing/hosts';
import {
  commandTarget,
  processEvents,
  processManager,
  type ProcessOutput,
} from '../../functions/eventsourcing/process-manager';
import { processReaction } from '../../functions/eventsourcing/process-manager/reaction';
import { ProcessManagerRuntime } from '../../functions/eventsourcing/process-manager/runtime';
import { SealRecords } from '../../functions/eventsourcing/integrity';
import type { EsIo } from '../../local/es/context';
import {
  ProcessInstances,
  type InstanceDetail,
  type ProcessOverview,
} from '../../local/es/process-instances';
import { startHttpServer, type LocalHttpServer } from '../../local/http-server';
import { studioRoutes } from '../../local/studio/api';
import { counter, type CounterCommand, type CounterState } from '../support/counter';
import { createTestTables, type TestTables } from '../support/dynamodb';
import { createGlobalLogFixture } from '../support/global-log';
import { runOperator, testEsContext } from '../support/operator';
import { insertRecord, reactionHost } from '../support/projection-fixture';
import { putStoredEvent } from '../support/stored-items';
import { counterEventSchemas } from '../support/test-events';

const taskEvents = defineEvents({
  streamPrefix: 'task-',
  schemas: {
    TaskOpened: z.object({ tally: z.string(), by: z.int(), remindAt: z.iso.datetime() }),
    TaskClosed: z.object({}),
  },
});
const tallyEvents = defineEvents({ streamPrefix: 'tally-', schemas: counterEventSchemas });

type TaskEvent = RecordedEventOf<typeof taskEvents.schemas>;
interface TaskState {
  readonly tally?: string;
  readonly refused?: string;
}

const tallies = commandTarget(
  tallyEvents,
  counter as unknown as Decider<CounterCommand, CounterState, NewEvent>,
);

const complete: ProcessOutput = { type: 'CompleteProcess' };

/** A task takes `by` from its tally and reminds at `remindAt`; closed, refused or reminded, it ends. */
const taskProcess = processManager<TaskEvent, TaskState>({
  name: 'task',
  description: 'Takes from a tally until closed.',
  inputs: ['TaskOpened', 'TaskClosed'],
  instanceOf: (input) => taskEvents.idOf(input.streamId),
  initialState: {},
  evolve: (state, input) =>
    input.type === 'TaskOpened'
      ? { tally: input.data.tally }
      : input.type === 'CommandRefused'
        ? { ...state, refused: input.code }
        : state,
  decide(input, state) {
    if (input.type !== 'TaskOpened') return [complete];
    return [
      tallies.send(state.tally!, { type: 'decrement', by: input.data.by }),
      { type: 'ScheduleTimer', timer: 'reminder', at: input.data.remindAt },
    ];
  },
  targets: [tallies],
});

const HOUR = 3_600_000;
const inAnHour = new Date(Date.now() + HOUR).toISOString();
const anHourAgo = new Date(Date.now() - HOUR).toISOString();

let tables: TestTables;
let store: EventStore;
let host: ConsumerHost;
let context: (io: EsIo) => ReturnType<typeof testEsContext>;

/** Appends the events to the task's stream and delivers them to the process's reaction. */
async function task(id: string, ...events: NewEvent[]) {
  const appended = await store.append(taskEvents.streamId(id), events, {
    expectedVersion: 'no_stream',
  });
  await host({ Records: appended.events.map((event) => insertRecord(event)) });
}

async function tally(name: string, value: number) {
  await store.append(tallyEvents.streamId(name), [{ type: 'Incremented', data: { by: value } }], {
    expectedVersion: 'no_stream',
  });
}

const opened = (tallyName: string, remindAt = inAnHour) => ({
  type: 'TaskOpened',
  data: { tally: tallyName, by: 2, remindAt },
});

beforeAll(async () => {
  tables = await createTestTables();
  store = new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue: EventCatalogue.combine(taskEvents.catalogue, tallyEvents.catalogue),
  });
  const runtime = new ProcessManagerRuntime(taskProcess, {
    storage: { client: tables.client, eventsTable: tables.names.events },
    timers: { put: () => Promise.resolve(), remove: () => Promise.resolve() },
  });
  host = reactionHost(tables, [processReaction(taskProcess, () => runtime)], {
    parkAfterAttempts: 1,
  });
  const log = (await createGlobalLogFixture(tables)).reader();
  const processes = new ProcessInstances({
    client: tables.client,
    eventsTable: tables.names.events,
    store: new EventStore({
      client: tables.client,
      tableName: tables.names.events,
      catalogue: processEvents.catalogue,
    }),
    processes: [taskProcess],
  });
  context = (io) => ({
    ...testEsContext(tables, io, { log, consumers: new Map(host.runtimes()) }),
    processes,
  });

  await tally('full', 10);
  await tally('empty', 0);
  await task('waiting', opened('full'));
  await task('late', opened('full', anHourAgo));
  await task('done', opened('full'), { type: 'TaskClosed', data: {} });
  await task('refused', opened('empty'));
  // A tally whose stored event fails its schema cannot be loaded: the command cannot go out.
  await putStoredEvent(tables.client, tables.names.events, {
    streamId: tallyEvents.streamId('broken'),
    version: 1,
    type: 'Incremented',
    data: { by: 'ten' },
  });
  await task('stuck', opened('broken'));
});

const run = (...args: string[]) => runOperator(args, context);

describe('process-manager instances for operators', () => {
  it('lists running instances under the consumer, with their timers, pending commands and parked streams', async () => {
    const { code, output } = await run('consumers');
    expect(code).toBe(0);
    expect(output).toMatch(/^task\treaction\t.*\t1 parked, 0 failing$/m);
    expect(output).toContain('  instances: 3 running, 2 completed');
    expect(output).toContain(`  waiting\tversion 2\tlast `);
    expect(output).toContain(`\t{"tally":"full"}`);
    expect(output).toContain(`    timer reminder due ${inAnHour}\n`);
    expect(output).toContain(`    timer reminder due ${anHourAgo} (overdue)`);
    expect(output).toContain('    pending decrement to tally-broken (command 1.0)');
    expect(output).toMatch(
      /^ {2}task task-stuck parked at version 1 \(TaskOpened \S+\) after 1 attempt\(s\).*: .*tally-broken.*$/m,
    );
    expect(output).not.toMatch(/^ {2}(done|refused)\t/m);

    const json = JSON.parse((await run('consumers', 'task', '--json', '--newest', '1')).output) as {
      processes: ProcessOverview[];
    };
    expect(json.processes).toHaveLength(1);
    expect(json.processes[0]).toMatchObject({ name: 'task', running: 3, completed: 2 });
    expect(json.processes[0]!.instances.map((i) => i.instanceId)).toEqual(['stuck']);
  });

  it('shows one instance in full: every input with its outputs, and what is left to do', async () => {
    const refused = await run('consumers', '--process', 'task', '--instance', 'refused');
    expect(refused.code).toBe(0);
    expect(refused.lines[0]).toBe(
      'task refused: completed, stream process-task-refused at version 2',
    );
    expect(refused.output).toContain('"refused": "BelowZero"');
    expect(refused.output).toMatch(
      /^ {2}1\t\S+\tTaskOpened\t\S+\n {6}→ send decrement to tally-empty\n {6}→ schedule timer reminder at \S+$/m,
    );
    expect(refused.output).toMatch(
      /^ {2}2\t\S+\tCommandRefused\trefused:1\.0\n {6}→ complete\n {6}→ cancel timer reminder$/m,
    );
    expect(refused.output).not.toContain('Pending commands:');

    const waiting = await run('consumers', '--process', 'task', '--instance', 'waiting');
    expect(waiting.output).toMatch(/^ {2}2\t\S+\tcommand 1\.0 sent$/m);
    expect(waiting.output).toContain(`Timers:\n  timer reminder due ${inAnHour}`);

    const unknown = await run('consumers', '--process', 'task', '--instance', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/^Process task has no instance nope\n/);
    expect((await run('consumers', '--process', 'nope')).output).toMatch(
      /^Unknown process 'nope'. Known: task\n/,
    );
    expect((await run('consumers', '--instance', 'waiting')).code).toBe(1);
  });

  it('answers the studio the same over HTTP, with a 404 for what does not exist', async () => {
    const studio = context({ json: true, print: () => undefined, progress: () => undefined });
    const server: LocalHttpServer = await startHttpServer({
      port: 0,
      routes: [],
      functions: {},
      tools: studioRoutes({ ...studio, seals: new SealRecords(tables.client, tables.names.seals) }),
    });
    try {
      const get = async (query: string) => {
        const response = await fetch(`${server.url}/studio/api/processes${query}`);
        return {
          status: response.status,
          body: (await response.json()) as Record<string, unknown>,
        };
      };
      const all = await get('');
      expect(all.status).toBe(200);
      const [overview] = all.body.processes as ProcessOverview[];
      expect(overview).toMatchObject({ name: 'task', running: 3, completed: 2 });
      expect(overview!.parked).toEqual([
        expect.objectContaining({ streamId: 'task-stuck', status: 'parked' }),
      ]);
      expect(overview!.instances.find((i) => i.instanceId === 'stuck')).toMatchObject({
        pending: [{ commandId: '1.0', streamId: 'tally-broken', type: 'decrement' }],
        timers: [{ timer: 'reminder', at: inAnHour, overdue: false }],
      });

      const detail = await get('?name=task&instance=late');
      expect(detail.status).toBe(200);
      expect(detail.body as unknown as InstanceDetail).toMatchObject({
        process: 'task',
        instanceId: 'late',
        completed: false,
        state: { tally: 'full' },
        history: [
          { kind: 'input', version: 1, type: 'TaskOpened' },
          { kind: 'command-done', version: 2, commandId: '1.0' },
        ],
        timers: [{ timer: 'reminder', at: anHourAgo, overdue: true }],
      });

      expect(await get('?name=nope')).toMatchObject({
        status: 404,
        body: { error: { code: 'UnknownProcess' } },
      });
      expect(await get('?name=task&instance=nope')).toMatchObject({
        status: 404,
        body: { error: { code: 'UnknownInstance', message: 'Process task has no instance nope' } },
      });
      expect(await get('?instance=late')).toMatchObject({
        status: 400,
        body: { error: { code: 'ValidationFailed' } },
      });
      const consumers = await fetch(`${server.url}/studio/api/consumers`);
      expect(((await consumers.json()) as { processes: string[] }).processes).toEqual(['task']);
    } finally {
      await server.stop();
    }
  });
});
