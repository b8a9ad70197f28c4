import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParkedStreams } from '../../functions/eventsourcing/hosts';
import { systemContext } from '../../local/es/context';
import type { ConsumerStatus, ConsumerStatuses } from '../../local/es/views/consumer-status';
import type { RequestTrace } from '../../local/es/views/request-trace';
import { waitFor } from '../../local/wait-for';
import { startTestApi, type TestApi } from '../support/local-api';
import { poisonAccountSummary } from '../support/poison';
import { runOperator } from '../support/operator';

const WAIT = { timeoutMs: 30_000, intervalMs: 100 };

let t: TestApi;

const es = (args: string[]) =>
  runOperator(args, (io) => systemContext(t.client, t.stack.tableNames, io));
const json = async <T>(...args: string[]): Promise<T> => {
  const run = await es([...args, '--json']);
  expect(run.code).toBe(0);
  return JSON.parse(run.output) as T;
};
const logHead = async () => (await json<{ lastPosition: number }>('log')).lastPosition;
const statusOf = async (name: string) =>
  (await json<ConsumerStatuses>('consumers', name)).consumers[0]!;

beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  await t?.stop();
});

describe('the operator CLI on the consumers of the local stack', () => {
  it('shows each consumer with lag, checkpoint, parked and failing streams; parked and redrive', async () => {
    const { accountId: damaged, fix } = await poisonAccountSummary(t, 'cli-poison');
    const parking = new ParkedStreams(
      DynamoDBDocumentClient.from(t.client),
      t.stack.tableNames.parkedStreams,
    );
    await waitFor(
      async () =>
        (await parking.get('account-summaries', `account-${damaged}`))?.status === 'parked'
          ? true
          : undefined,
      { ...WAIT, description: 'the poisoned stream to be parked' },
    );
    await waitFor(
      async () => ((await statusOf('account-transactions')).pending === 0 ? true : undefined),
      {
        ...WAIT,
        description: 'account-transactions to catch up',
      },
    );

    const head = await logHead();
    const all = await json<ConsumerStatuses>('consumers');
    const byName = new Map(all.consumers.map((status) => [status.name, status]));
    expect(byName.get('account-summaries')).toMatchObject({
      kind: 'projection',
      parked: 1,
      failing: 0,
      pending: 1,
      checkpoint: head - 1,
      generation: { active: 1 },
    } satisfies Partial<ConsumerStatus>);
    expect(byName.get('account-summaries')!.lagSeconds).toBeGreaterThan(0);
    expect(byName.get('account-transactions')).toMatchObject({
      parked: 0,
      pending: 0,
      checkpoint: head,
    });
    expect(byName.get('transfer-process')).toMatchObject({ kind: 'reaction', parked: 0 });
    expect((await es(['consumers'])).output).toMatch(
      /^account-summaries\tprojection\tcheckpoint [\d,]+\t1 pending, lag \d+\.\d s\t1 parked, 0 failing, generation 1$/m,
    );
    expect((await es(['parked', 'account-summaries'])).output).toContain(
      `account-summaries account-${damaged} parked at version 3 (MoneyDeposited`,
    );

    // The request that brought the poison: its trace shows the event waiting and the park.
    const poison = (await t.events()).find(
      (event) => event.streamId === `account-${damaged}` && event.version === 3,
    )!;
    const trace = await json<RequestTrace>('trace', String(poison.metadata.correlationId));
    expect(trace.entries).toContainEqual(
      expect.objectContaining({
        kind: 'event',
        eventId: poison.eventId,
        pendingFor: ['account-summaries'],
      }),
    );
    expect(trace.entries).toContainEqual(
      expect.objectContaining({
        kind: 'failure',
        consumer: 'account-summaries',
        streamId: `account-${damaged}`,
        version: 3,
        status: 'parked',
      }),
    );

    expect((await es(['redrive', 'account-summaries'])).code).toBe(2);
    await fix();
    expect(await es(['redrive', 'account-summaries'])).toMatchObject({
      code: 0,
      output: `account-${damaged}: applied up to version 3, released`,
    });
    expect(await statusOf('account-summaries')).toMatchObject({ parked: 0, pending: 0 });
    await t.eventually(`/accounts/${damaged}`, (r) => r.body.balance === 150);
  });
});
