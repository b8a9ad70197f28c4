import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../functions/eventsourcing';
import { tableEnvironment } from '../../functions/eventsourcing/declaration';
import { commands } from '../../local/es/commands';
import { systemContext } from '../../local/es/context';
import { freePort } from '../../local/ports';
import { waitFor } from '../../local/wait-for';
import { startTestApi, type TestApi } from '../support/local-api';
import { runOperator, type OperatorRunOptions } from '../support/operator';

const root = fileURLToPath(new URL('../..', import.meta.url));
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };

let t: TestApi;
let accountId: string;

const es = (args: string[], options?: OperatorRunOptions) =>
  runOperator(args, (io) => systemContext(t.client, t.stack.tableNames, io), options);
const json = async <T>(...args: string[]): Promise<T> => {
  const run = await es([...args, '--json']);
  expect(run.code).toBe(0);
  return JSON.parse(run.output) as T;
};
const logHead = async () => (await json<{ lastPosition: number }>('log')).lastPosition;
beforeAll(async () => {
  t = await startTestApi();
  accountId = await t.openAccount('cli-owner', 5000);
  await t.api.post(`/accounts/${accountId}/withdrawals`, { body: { amount: 1500 } });
  await waitFor(async () => ((await logHead()) >= 3 ? true : undefined), {
    ...WAIT,
    description: 'the global log to hold the account',
  });
});
afterAll(async () => {
  await t?.stop();
});

describe('the operator CLI on the local stack', () => {
  it('lists the newest streams by prefix', async () => {
    const { streams } = await json<{ streams: { streamId: string; lastVersion: number }[] }>(
      'streams',
      '--prefix',
      'account-',
    );
    expect(streams[0]).toMatchObject({ streamId: `account-${accountId}`, lastVersion: 3 });
    expect((await es(['streams', '--prefix', 'order-'])).output).toBe(
      'No streams found among the newest events of the global log.',
    );
  });

  it("shows a stream's events, and the state its decider folds at a version or a time", async () => {
    const streamId = `account-${accountId}`;
    const { events } = await json<{ events: RecordedEvent[] }>('stream', streamId);
    expect(events.map((event) => event.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'MoneyWithdrawn',
    ]);
    expect(events[1]!.metadata).toMatchObject({ actor: expect.any(String) as unknown });
    expect(await json('stream', streamId, '--at-version', '2')).toMatchObject({
      kind: 'account',
      version: 2,
      state: { status: 'open', balance: 5000 },
    });
    expect(await json('stream', streamId, '--at-time', events[0]!.recordedAt)).toMatchObject({
      version: 1,
      state: { balance: 0 },
    });
    expect(await json('stream', streamId, '--at-version', '0')).toMatchObject({ version: 0 });
    const text = await es(['stream', streamId, '--at-version', '3']);
    expect(text.output).toMatch(new RegExp(`^${streamId} \\(account\\) at version 3, recorded`));
    expect(text.output).toContain('"balance": 3500');
    const unknown = await es(['stream', 'misc-1', '--at-version', '1']);
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.output).toContain('No decider is known for stream misc-1');
  });

  it('follows the global log live, filtered by type', async () => {
    const from = String(await logHead());
    const lines: string[] = [];
    const tail = es(
      ['tail', '--types', 'MoneyDeposited', '--from', from, '--count', '1', '--json'],
      {
        onLine: (line) => lines.push(line),
      },
    );
    await t.api.post(`/accounts/${accountId}/withdrawals`, { body: { amount: 100 } });
    await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 700 } });
    expect((await tail).code).toBe(0);
    expect(lines.map((line) => JSON.parse(line) as object)).toEqual([
      expect.objectContaining({
        streamId: `account-${accountId}`,
        version: 5,
        type: 'MoneyDeposited',
        data: { amount: 700 },
      }),
    ]);
  });

  it('rebuilds a projection with a progress bar, and reads, backfills and checks the log', async () => {
    const rebuilt = await es([
      'rebuild',
      'owner-accounts',
      '--settle-seconds',
      '0',
      '--keep-retired',
    ]);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.output).toMatch(
      /^owner-accounts: generation 2 active \(replaced 1\), \d+ events$/,
    );
    expect(rebuilt.progress.at(-1)).toMatch(
      /^owner-accounts → generation 2 \[done\] \[#{24}\] (\d+)\/\1 \(100\.0%\), [\d,]+ events\/s/,
    );
    await t.eventually(
      '/owners/cli-owner/accounts',
      (r) => ((r.body.accounts as { balance: number }[] | undefined) ?? [])[0]?.balance === 4100,
    );

    const read = await es(['read', '--after', '0', '--limit', '2']);
    expect(read.lines.map((line) => (JSON.parse(line) as { position: number }).position)).toEqual([
      1, 2,
    ]);
    expect(read.progress).toEqual(['next: 2']);
    expect((await es(['backfill'])).output).toMatch(/^Backfill: \d+ events read, 0 newly indexed$/);
    expect((await es(['log'])).lines[0]).toMatch(
      /^Global log: \d+ events in \d+ pages; newest event/,
    );
    expect(await es(['corrupt'])).toMatchObject({ code: 0, output: 'No corrupt events.' });
  });

  it('explains every command with --help, and what to do when something is wrong', async () => {
    for (const command of commands) {
      const help = await es([command.name, '--help']);
      expect(help.code).toBe(0);
      expect(help.output).toMatch(new RegExp(`^Usage: npm run es -- ${command.name}\\b`));
      expect(help.output).toContain('--stack NAME');
    }
    const overview = await es([]);
    expect(overview.code).toBe(1);
    for (const command of commands) expect(overview.output).toContain(`  ${command.name} `);
    expect((await es(['nope'])).output).toMatch(/^Unknown command 'nope'/);
    expect((await es(['streams', '--limit', 'lots'])).output).toMatch(
      /^--limit must be a whole number/,
    );
    expect((await es(['rebuild', 'transfer-process'])).output).toMatch(
      /^It works on projections; transfer-process is a reaction/,
    );
  });
});

describe('the npm run es process', () => {
  const run = async (args: string[], env: NodeJS.ProcessEnv) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('TABLE_') && name !== 'DYNAMODB_ENDPOINT',
      ),
    );
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'local/es/cli.ts', ...args],
        { cwd: root, env: { ...clean, ...env } },
      );
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout + failed.stderr };
    }
  };

  it('works on the tables the TABLE_* variables name', async () => {
    const answer = await run(['streams', '--json'], {
      ...tableEnvironment(t.stack.tableNames),
      DYNAMODB_ENDPOINT: t.stack.dynamoDbEndpoint,
    });
    expect(answer.code).toBe(0);
    const { streams } = JSON.parse(answer.stdout) as { streams: { streamId: string }[] };
    expect(streams.map((stream) => stream.streamId)).toContain(`account-${accountId}`);
  });

  it('says to run npm start when the local stack is not running', async () => {
    const answer = await run(['consumers'], { DYNAMODB_PORT: String(await freePort()) });
    expect(answer.code).toBe(1);
    expect(answer.stdout).toContain('The local stack is not running');
    expect(answer.stdout).toContain('run npm start');
  });
});
