import { beforeAll, describe, expect, it } from 'vitest';
import { TableCheckpoint } from '../../functions/eventsourcing/global-log';
import type { EsIo } from '../../local/es/context';
import { waitFor } from '../../local/wait-for';
import { createGlobalLogFixture, type GlobalLogFixture } from '../support/global-log';
import { runOperator, testEsContext } from '../support/operator';
import { insertRecord } from '../support/projection-fixture';

let log: GlobalLogFixture;

beforeAll(async () => {
  log = await createGlobalLogFixture();
});

/** The operator CLI on the test tables (events of the test catalogue). */
const context = (io: EsIo) => testEsContext(log.tables, io, { log: log.reader() });

function run(args: string[], signal?: AbortSignal, onLine?: (line: string) => void) {
  return runOperator(args, context, {
    ...(signal ? { signal } : {}),
    ...(onLine ? { onLine } : {}),
  });
}

describe('global log operator commands', () => {
  it('backfills what the log lacks, shows its status, reads and follows it', async () => {
    const { events } = await log.store.append(
      'acc-1',
      [
        { type: 'Opened', data: { owner: 'ann' } },
        { type: 'Deposited', data: { amount: 5 } },
        { type: 'Deposited', data: { amount: 7 } },
      ],
      { expectedVersion: 'no_stream' },
    );
    // Only the first record ever reached the indexer: the rest are older than the log.
    await log.indexer()({ Records: [insertRecord(events[0]!)] });
    await log.store.append('acc-2', [{ type: 'Opened', data: { owner: 'bo' } }], {
      expectedVersion: 'no_stream',
    });

    expect((await run(['log'])).lines[0]).toMatch(/^Global log: 1 events in 1 pages; newest/);
    expect(await run(['backfill'])).toMatchObject({
      code: 0,
      lines: ['Backfill: 4 events read, 3 newly indexed'],
    });
    const status = await run(['log']);
    expect(status.lines.slice(1)).toEqual([
      '  Deposited: 2, last at position 3',
      '  Opened: 2, last at position 4',
    ]);

    const read = await run(['read', '--after', '1', '--types', 'Deposited,Opened', '--limit', '2']);
    expect(read.lines.map((line) => JSON.parse(line) as object)).toEqual([
      expect.objectContaining({ position: 2, streamId: 'acc-1', version: 2, data: { amount: 5 } }),
      expect.objectContaining({ position: 3, streamId: 'acc-1', version: 3, data: { amount: 7 } }),
    ]);
    expect(read.progress).toEqual(['next: 3']);

    const stop = new AbortController();
    const followed: string[] = [];
    const following = run(
      ['tail', '--name', 'ops', '--from', '2', '--json'],
      stop.signal,
      (line) => {
        followed.push(line);
      },
    );
    await waitFor(() => (followed.length === 2 ? true : undefined), {
      timeoutMs: 10_000,
      description: 'the events after position 2',
    });
    stop.abort();
    expect(await following).toMatchObject({ code: 0 });
    expect(followed.map((line) => (JSON.parse(line) as { position: number }).position)).toEqual([
      3, 4,
    ]);
    const saved = new TableCheckpoint(
      log.tables.client,
      log.tables.names.subscriptionCheckpoints,
      'ops',
    );
    expect(await saved.load()).toBe(4);
  });

  it('explains what it needs', async () => {
    expect((await run([])).code).toBe(1);
    expect((await run(['tail', '--from', 'soon'])).lines[0]).toContain(
      '--from must be start, end or a position',
    );
    expect((await run(['read', '--after', 'x'])).code).toBe(1);
    expect((await run(['nope'])).lines[0]).toContain("Unknown command 'nope'");
  });
});
