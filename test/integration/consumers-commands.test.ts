import { beforeAll, describe, expect, it } from 'vitest';
import {
  EventStore,
  findCorruptEvents,
  type GlobalLogReader,
  type GlobalLogIndexerHandler,
  type ProjectionRuntime,
} from '../../functions/eventsourcing';
import { formatProgress, runConsumersCommand } from '../../local/consumers-commands';
import {
  balanceHandler,
  createProjectionTestTables,
  insertRecord,
  type BalanceHandler,
  type ProjectionTestTables,
} from '../support/projection-fixture';
import { createGlobalLogFixture } from '../support/global-log';
import { putStoredEvent } from '../support/stored-items';
import { balanceEvents } from '../support/test-events';

let tables: ProjectionTestTables;
let broken = true;
let runtime: ProjectionRuntime;
let handler: BalanceHandler;
let indexer: GlobalLogIndexerHandler;
let log: GlobalLogReader;

beforeAll(async () => {
  tables = await createProjectionTestTables();
  handler = balanceHandler(
    tables,
    { name: 'accounts', isPoison: (event) => broken && event.version === 2 },
    { parkAfterAttempts: 1 },
  );
  runtime = handler.runtime();
  const globalLog = await createGlobalLogFixture(tables);
  indexer = globalLog.indexer();
  log = globalLog.reader();
});

async function run(...args: string[]) {
  const lines: string[] = [];
  const progress: string[] = [];
  const code = await runConsumersCommand(args, new Map([['accounts', runtime]]), log, {
    print: (line) => lines.push(line),
    progress: (line) => progress.push(line),
    corruptEvents: () => findCorruptEvents(tables.client, tables.names.events, balanceEvents),
  });
  return { code, output: lines.join('\n'), progress };
}

describe('consumers command on a projection', () => {
  it('shows parked streams, redrives them after the fix, and rebuilds with progress', async () => {
    const store = new EventStore({
      client: tables.client,
      tableName: tables.names.events,
      catalogue: balanceEvents,
    });
    const { events } = await store.append(
      'acc-1',
      [
        { type: 'Opened', data: { owner: 'ann' } },
        { type: 'Deposited', data: { amount: 5 } },
      ],
      { expectedVersion: 'no_stream' },
    );
    const records = events.map((event) => insertRecord(event));
    await handler({ Records: records });
    await indexer({ Records: records });

    expect((await run('status')).output).toBe('accounts: active generation 1; 1 parked, 0 failing');
    const parked = await run('parked', 'accounts');
    expect(parked.output).toContain(
      `accounts acc-1 parked at version 2 (Deposited ${events[1]!.eventId}) after 1 attempt(s)`,
    );
    expect(parked.output).toContain(`poison: cannot project ${events[1]!.eventId}`);

    expect(await run('redrive', 'accounts')).toMatchObject({ code: 2 });
    broken = false;
    expect(await run('redrive', 'accounts')).toEqual({
      code: 0,
      output: 'acc-1: applied up to version 2, released',
      progress: [],
    });
    expect((await run('parked')).output).toBe('No failing or parked streams.');

    const rebuilt = await run('rebuild', 'accounts', '--settle-seconds', '0', '--keep-retired');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.output).toBe('accounts: generation 2 active (replaced 1), 2 events');
    expect(rebuilt.progress.at(-1)).toMatch(/^accounts → generation 2 \[done\] 2\/2 \(100\.0%\)/);
    expect((await run('status', 'accounts')).output).toBe(
      'accounts: active generation 2, retired 1; 0 parked, 0 failing',
    );
    const cleaned = await run('clean', 'accounts');
    expect(cleaned.code).toBe(0);
    expect(cleaned.output).toMatch(/^accounts: removed [1-9]\d* items of replaced generations$/);
    expect((await run('status', 'accounts')).output).toBe(
      'accounts: active generation 2; 0 parked, 0 failing',
    );
  });

  it('lists the stored events that fail their schema, by stream', async () => {
    const clean = await run('corrupt');
    expect(clean).toMatchObject({ code: 0, output: 'No corrupt events.' });
    const corrupt = (streamId: string, version: number, type: string, data: object) =>
      putStoredEvent(tables.client, tables.names.events, { streamId, version, type, data });
    await corrupt('acc-bad', 1, 'Deposited', { amount: 'not-a-number' });
    await corrupt('acc-odd', 1, 'Frozen', {});
    const listed = await run('corrupt');
    expect(listed.code).toBe(2);
    expect(listed.output).toContain(
      'acc-bad version 1 (Deposited acc-bad-1): data.amount: Invalid input: expected number, received string',
    );
    expect(listed.output).toContain("acc-odd version 1 (Frozen acc-odd-1): type: 'Frozen'");
    expect(listed.output).toContain('2 stream(s) hold corrupt events');
  });

  it('explains what it needs', async () => {
    const usage = await run();
    expect(usage.code).toBe(1);
    expect(usage.output).toContain('Usage: npm run consumers -- <command>');
    const unnamed = await run('rebuild');
    expect(unnamed.code).toBe(1);
    expect(unnamed.output).toContain('rebuild needs a consumer name');
    expect(await run('redrive', 'nope')).toMatchObject({
      code: 1,
      output: "Unknown consumer 'nope'. Known: accounts",
    });
    expect(await run('rebuild', 'accounts', '--settle-seconds', 'soon')).toMatchObject({ code: 1 });
  });

  it('formats progress with rate and ETA', () => {
    expect(
      formatProgress({
        projection: 'accounts',
        generation: 3,
        phase: 'replaying',
        done: 2500,
        total: 10_000,
        eventsPerSecond: 1250,
        etaSeconds: 6,
      }),
    ).toBe('accounts → generation 3 [replaying] 2,500/10,000 (25.0%), 1,250 events/s, ETA 6s');
  });
});
