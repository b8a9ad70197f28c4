import { beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../functions/eventsourcing';
import type {
  GlobalLogReader,
  GlobalLogIndexerHandler,
} from '../../functions/eventsourcing/global-log';
import type { ProjectionRuntime } from '../../functions/eventsourcing/hosts';
import type { EsIo } from '../../local/es/context';
import { formatProgress } from '../../local/es/progress';
import type { ConsumerStatuses } from '../../local/es/views/consumer-status';
import {
  balanceHandler,
  createProjectionTestTables,
  insertRecord,
  type BalanceHandler,
  type ProjectionTestTables,
} from '../support/projection-fixture';
import { createGlobalLogFixture, type GlobalLogFixture } from '../support/global-log';
import { runOperator, testEsContext } from '../support/operator';
import { putStoredEvent } from '../support/stored-items';
import { balanceEvents } from '../support/test-events';

let tables: ProjectionTestTables;
let broken = true;
let runtime: ProjectionRuntime;
let handler: BalanceHandler;
let indexer: GlobalLogIndexerHandler;
let log: GlobalLogReader;
let globalLog: GlobalLogFixture;

beforeAll(async () => {
  tables = await createProjectionTestTables();
  handler = balanceHandler(
    tables,
    { name: 'accounts', isPoison: (event) => broken && event.version === 2 },
    { parkAfterAttempts: 1 },
  );
  runtime = handler.runtime();
  globalLog = await createGlobalLogFixture(tables);
  indexer = globalLog.indexer();
  log = globalLog.reader();
});

/** The operator CLI on the test projection `accounts` and the test tables. */
const context = (io: EsIo) =>
  testEsContext(tables, io, { log, consumers: new Map([['accounts', runtime]]) });

async function run(...args: string[]) {
  const { code, output, progress } = await runOperator(args, context);
  return { code, output, progress };
}

describe('operator commands on a projection', () => {
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

    const status = async () =>
      (JSON.parse((await run('consumers', '--json')).output) as ConsumerStatuses).consumers[0];
    expect(await status()).toMatchObject({
      name: 'accounts',
      kind: 'projection',
      checkpoint: 1,
      pending: 1,
      parked: 1,
      failing: 0,
      generation: { active: 1 },
    });
    expect((await run('consumers')).output).toMatch(
      /^accounts\tprojection\tcheckpoint 1\t1 pending, lag \d+\.\d s\t1 parked, 0 failing, generation 1$/m,
    );
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
    expect(await status()).toMatchObject({ checkpoint: 2, pending: 0, lagSeconds: 0, parked: 0 });

    const rebuilt = await run('rebuild', 'accounts', '--settle-seconds', '0', '--keep-retired');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.output).toBe('accounts: generation 2 active (replaced 1), 2 events');
    expect(rebuilt.progress.at(-1)).toMatch(
      /^accounts → generation 2 \[done\] \[#{24}\] 2\/2 \(100\.0%\), \d+ events\/s/,
    );
    expect(await status()).toMatchObject({ generation: { active: 2 }, checkpoint: 2 });
    const cleaned = await run('clean', 'accounts');
    expect(cleaned.code).toBe(0);
    expect(cleaned.output).toMatch(/^accounts: removed [1-9]\d* items of replaced generations$/);
    expect((await run('clean', 'accounts')).output).toBe(
      'accounts: removed 0 items of replaced generations',
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
    expect(usage.output).toContain('Usage: npm run es -- <command>');
    const unnamed = await run('rebuild');
    expect(unnamed.code).toBe(1);
    expect(unnamed.output).toContain('It needs a consumer name');
    expect(unnamed.output).toContain('Usage: npm run es -- rebuild NAME');
    const unknown = await run('redrive', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/^Unknown consumer 'nope'. Known: accounts\n/);
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
    ).toBe(
      'accounts → generation 3 [replaying] [######------------------] 2,500/10,000 (25.0%), ' +
        '1,250 events/s, ETA 6s',
    );
  });
});
