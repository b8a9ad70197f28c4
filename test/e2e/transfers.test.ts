import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedEvent } from '../../local/event-bus';
import { waitFor } from '../../local/wait-for';
import { seededRandom } from '../support/balance-projection';
import { startTestApi, type TestApi } from '../support/local-api';
import { captureLogs, type LogLine } from '../support/log-capture';
import { runOperator } from '../support/operator';
import { systemContext } from '../../local/es/context';
import type { RequestTrace, TracedEvent } from '../../local/es/views/request-trace';

let t: TestApi;

beforeAll(async () => {
  // DynamoDB Streams delivers at least once: every batch reaches every consumer twice here.
  t = await startTestApi({ deliverEachBatch: 2, ownDynamoDb: true });
});
afterAll(() => t?.stop());

interface Transfer {
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: number;
}

interface TransferView extends Transfer {
  readonly status: string;
  readonly reason?: string;
  readonly refunded?: boolean;
}

const FINISHED = ['completed', 'failed'];

const openAccount = (deposit: number) => t.openAccount('transfers-e2e', deposit);

async function balanceOf(accountId: string): Promise<number> {
  const response = await t.api.get(`/accounts/${accountId}/state`);
  expect(response.status, response.text).toBe(200);
  return (response.body.state as { balance: number }).balance;
}

async function transferStatuses(ids: readonly string[]): Promise<TransferView[]> {
  return Promise.all(
    ids.map(async (id) => {
      const response = await t.api.get(`/transfers/${id}`);
      expect(response.status, response.text).toBe(200);
      return response.body as unknown as TransferView;
    }),
  );
}

/**
 * A random transfer between the test's accounts: mostly from a funded account, sometimes from
 * a closed, missing or empty one; mostly to another account, sometimes to a closed or missing one.
 */
function randomTransfer(
  random: () => number,
  accounts: { funded: string[]; closed: string; empty: string; missing: string },
): Omit<Transfer, 'transferId'> {
  const { funded, closed, empty, missing } = accounts;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const fromAccountId = random() < 0.05 ? pick([closed, missing, empty]) : pick(funded);
  const roll = random();
  const special = roll < 0.1 ? closed : roll < 0.2 ? missing : undefined;
  const toAccountId =
    special && special !== fromAccountId
      ? special
      : pick([...funded, closed, empty].filter((id) => id !== fromAccountId));
  return { fromAccountId, toAccountId, amount: 1 + Math.floor(random() * 2_500) };
}

/** How often each step of a transfer (`transferId:eventType:source`) is in the events. */
function transferSteps(events: readonly { type: string; data: unknown }[]): Map<string, number> {
  const steps = new Map<string, number>();
  for (const event of events) {
    const data = event.data as { transferId?: string; source?: string };
    if (!data.transferId) continue;
    const step = `${data.transferId}:${event.type}:${data.source ?? ''}`;
    steps.set(step, (steps.get(step) ?? 0) + 1);
  }
  return steps;
}

/** A transfer's debits, credits and refunds among the steps. */
const stepsOf = (view: TransferView, steps: ReadonlyMap<string, number>) => [
  steps.get(`${view.transferId}:MoneyWithdrawn:`) ?? 0,
  steps.get(`${view.transferId}:MoneyDeposited:`) ?? 0,
  steps.get(`${view.transferId}:MoneyDeposited:transfer-refund`) ?? 0,
];

/** Debits, credits and refunds a transfer that ended so must have made: each once at most. */
const expectedSteps = (view: TransferView) =>
  view.status === 'completed' ? [1, 1, 0] : view.refunded ? [1, 0, 1] : [0, 0, 0];

describe('money transfers (saga) over the local stack', () => {
  it(
    'runs 200 concurrent transfers: money is conserved, each ends, none applies twice',
    { timeout: 180_000 },
    async () => {
      const random = seededRandom(42);
      const funded = await Promise.all(
        Array.from({ length: 8 }, () => openAccount(1_000 + Math.floor(random() * 4_000))),
      );
      const closed = await openAccount(0);
      expect((await t.api.post(`/accounts/${closed}/close`, {})).status).toBe(200);
      const empty = await openAccount(0);
      const accounts = [...funded, closed, empty];
      const missing = 'no-such-account';
      const initial = new Map(
        await Promise.all(accounts.map(async (id) => [id, await balanceOf(id)] as const)),
      );
      const total = [...initial.values()].reduce((a, b) => a + b, 0);

      const requests = Array.from({ length: 200 }, () =>
        randomTransfer(random, { funded, closed, empty, missing }),
      );
      const transfers: Transfer[] = await Promise.all(
        requests.map(async (body) => {
          const response = await t.api.post('/transfers', { body });
          expect(response.status, response.text).toBe(202);
          const transferId = response.body.transferId as string;
          expect(response.headers.get('location')).toBe(`/transfers/${transferId}`);
          return { transferId, ...body };
        }),
      );

      const ids = transfers.map((tr) => tr.transferId);
      const views = await waitFor(
        async () => {
          const statuses = await transferStatuses(ids);
          return statuses.every((s) => FINISHED.includes(s.status)) ? statuses : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500, description: 'every transfer to finish' },
      );

      // Every transfer ended for a reason the rules allow.
      for (const view of views) {
        if (view.status === 'failed') {
          expect(['InsufficientFunds', 'AccountClosed', 'AccountNotFound']).toContain(view.reason);
        }
      }
      const completed = views.filter((v) => v.status === 'completed');
      const refused = views.filter((v) => v.status === 'failed');
      expect(completed.length).toBeGreaterThan(0);
      expect(refused.some((v) => v.reason === 'InsufficientFunds')).toBe(true);
      expect(refused.some((v) => v.refunded)).toBe(true);

      // Each account moved by exactly the transfers that completed, and nothing else.
      const expected = new Map(initial);
      for (const view of completed) {
        expected.set(view.fromAccountId, expected.get(view.fromAccountId)! - view.amount);
        expected.set(view.toAccountId, expected.get(view.toAccountId)! + view.amount);
      }
      const balances = new Map(
        await Promise.all(accounts.map(async (id) => [id, await balanceOf(id)] as const)),
      );
      expect(balances).toEqual(expected);
      expect([...balances.values()].reduce((a, b) => a + b, 0)).toBe(total);

      // No transfer debited, credited or refunded any account twice.
      const accountEvents = (await t.events()).filter(
        (e) => typeof e.streamId === 'string' && e.streamId.startsWith('account-'),
      );
      const steps = transferSteps(accountEvents);
      expect([...steps.entries()].filter(([, count]) => count > 1)).toEqual([]);
      for (const view of views) {
        expect(stepsOf(view, steps), view.transferId).toEqual(expectedSteps(view));
      }

      // Nothing is in flight any more, so the stuck-transfer check finds nothing.
      process.env.STUCK_TRANSFER_AFTER_SECONDS = '0';
      await waitFor(
        async () => {
          const { stuck } = (await t.stack.schedules.run('stuckTransfers')) as { stuck: unknown[] };
          return stuck.length === 0 ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, description: 'no transfer in flight' },
      );
    },
  );

  it("keeps the request's correlation id through every step, each step caused by the event before it", async () => {
    const from = await openAccount(500);
    const to = await openAccount(0);
    const correlationId = `transfer-flow:${Date.now()}`;
    const requested = await t.api.post('/transfers', {
      body: { fromAccountId: from, toAccountId: to, amount: 200 },
      headers: { 'x-correlation-id': correlationId },
    });
    expect(requested.status, requested.text).toBe(202);
    expect(requested.headers.get('x-correlation-id')).toBe(correlationId);
    const transferId = requested.body.transferId as string;
    await t.eventually(`/transfers/${transferId}`, (r) => r.body.status === 'completed');

    type Stored = {
      streamId: string;
      eventId: string;
      type: string;
      data: { transferId?: string };
      metadata: Record<string, string>;
    };
    const stored = (await t.events()) as unknown as Stored[];
    const byType = (streamId: string, type: string) =>
      stored.find((e) => e.streamId === streamId && e.type === type)!;
    const transferStream = `transfer-${transferId}`;
    const request = byType(transferStream, 'TransferRequested');
    const debited = byType(transferStream, 'TransferDebited');
    const completed = byType(transferStream, 'TransferCompleted');
    const withdrawal = byType(`account-${from}`, 'MoneyWithdrawn');
    const deposit = byType(`account-${to}`, 'MoneyDeposited');
    expect(withdrawal.data.transferId).toBe(transferId);
    expect(deposit.data.transferId).toBe(transferId);

    const steps = [request, debited, completed, withdrawal, deposit];
    for (const event of steps) {
      expect(event.metadata, event.type).toMatchObject({
        correlationId,
        actor: 'arn:aws:iam::000000000000:user/local-developer',
      });
    }
    expect(request.metadata.causationId).toBe(request.metadata.commandId);
    expect(withdrawal.metadata.causationId).toBe(request.eventId);
    expect(debited.metadata.causationId).toBe(request.eventId);
    expect(deposit.metadata.causationId).toBe(debited.eventId);
    expect(completed.metadata.causationId).toBe(debited.eventId);

    // The integration events published for them carry it too.
    const ids = new Set(steps.map((event) => event.eventId));
    const published = await waitFor(
      async () => {
        const events = (await (
          await fetch(`${t.stack.eventBus.endpoint}/events`)
        ).json()) as ReceivedEvent[];
        const ours = events
          .map((event) => JSON.parse(event.entry.Detail!) as { id: string; correlationId?: string })
          .filter((detail) => ids.has(detail.id));
        return ours.length >= ids.size ? ours : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: 'the integration events' },
    );
    expect(new Set(published.map((detail) => detail.id))).toEqual(ids);
    expect(published.every((detail) => detail.correlationId === correlationId)).toBe(true);
  });

  it('lets one request be followed: its log lines carry its correlation id from HTTP to the publisher, and es trace shows its whole path', async () => {
    const from = await openAccount(300);
    const to = await openAccount(0);
    const correlationId = `followed:${Date.now()}`;
    const logs = captureLogs();
    let transferId: string;
    let lines: LogLine[];
    try {
      const requested = await t.api.post('/transfers', {
        body: { fromAccountId: from, toAccountId: to, amount: 120 },
        headers: { 'x-correlation-id': correlationId },
      });
      expect(requested.status, requested.text).toBe(202);
      transferId = requested.body.transferId as string;
      // Five events: the request, the debit and its withdrawal, the credit and its deposit.
      lines = await waitFor(
        () => {
          const ours = logs.lines().filter((line) => line.correlationId === correlationId);
          const logged = (message: string) =>
            new Set(ours.filter((line) => line.message === message).map((line) => line.eventId));
          const done = ['Integration event published', 'Consumed event'].every(
            (message) => logged(message).size >= 5,
          );
          return done ? ours : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, description: 'the consumers to log the transfer' },
      );
    } finally {
      logs.stop();
    }
    const transferStream = `transfer-${transferId}`;
    const events = (await t.events()).filter(
      (event) => event.metadata.correlationId === correlationId,
    );
    expect(events.map((event) => `${event.streamId}:${event.type}`).sort()).toEqual(
      [
        `${transferStream}:TransferRequested`,
        `${transferStream}:TransferDebited`,
        `${transferStream}:TransferCompleted`,
        `account-${from}:MoneyWithdrawn`,
        `account-${to}:MoneyDeposited`,
      ].sort(),
    );

    expect(lines).toContainEqual(
      expect.objectContaining({
        message: 'Request answered',
        routeKey: 'POST /transfers',
        status: 202,
      }),
    );
    const advanced = lines.filter((line) => line.message === 'Transfer advanced');
    expect(advanced.length).toBeGreaterThan(0);
    for (const line of advanced) {
      expect(line).toMatchObject({ consumer: 'transfer-process', streamId: transferStream });
      const reactedTo = events.find((event) => event.eventId === line.eventId);
      expect(reactedTo?.metadata.causationId).toBe(line.causationId);
    }
    // Every consumer's line about one of the request's events names its stream and its cause.
    for (const event of events) {
      const about = lines.filter((line) => line.eventId === event.eventId);
      expect(about, event.type).toContainEqual(
        expect.objectContaining({
          message: 'Integration event published',
          streamId: event.streamId,
        }),
      );
      expect(about.filter((line) => line.message === 'Consumed event').length).toBeGreaterThan(0);
      for (const line of about) {
        expect(line).toMatchObject({
          streamId: event.streamId,
          causationId: event.metadata.causationId,
        });
      }
    }

    // The operator's view of the same request: every event in time order, who processed it,
    // what was published from it.
    const es = (args: string[]) =>
      runOperator(args, (io) => systemContext(t.client, t.stack.tableNames, io));
    const bus = ['--integration-events', t.stack.eventBus.endpoint];
    const trace = await waitFor(
      async () => {
        const run = await es(['trace', correlationId, ...bus, '--json']);
        const found = JSON.parse(run.output) as RequestTrace;
        const kinds = found.entries.map((entry) => entry.kind);
        const settled = found.entries.every((e) => e.kind !== 'event' || e.pendingFor.length === 0);
        const complete =
          kinds.filter((kind) => kind === 'event').length === 5 &&
          kinds.filter((kind) => kind === 'integration-event').length === 5;
        return complete && settled ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'the trace to hold the whole transfer' },
    );
    const elapsed = trace.entries.map((entry) => entry.elapsedMs);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
    expect(elapsed[0]).toBe(0);
    expect(trace.durationMs).toBe(elapsed.at(-1));
    const traced = trace.entries.filter((entry): entry is TracedEvent => entry.kind === 'event');
    const tracedType = (type: string) => traced.find((entry) => entry.type === type)!;
    expect(new Set(traced.map((entry) => entry.eventId))).toEqual(
      new Set(events.map((event) => event.eventId)),
    );
    expect(tracedType('TransferRequested').causedBy).toBeUndefined();
    expect(tracedType('TransferRequested').handledBy).toContain('transfer-process');
    for (const type of ['TransferDebited', 'MoneyWithdrawn']) {
      expect(tracedType(type).causedBy).toMatchObject({ type: 'TransferRequested' });
    }
    for (const type of ['TransferCompleted', 'MoneyDeposited']) {
      expect(tracedType(type).causedBy).toMatchObject({ type: 'TransferDebited' });
      expect(tracedType(type).causedBy!.afterMs).toBeGreaterThanOrEqual(0);
    }
    for (const entry of traced) expect(entry.handledBy).toContain('integration-publisher');
    const published = trace.entries.filter((entry) => entry.kind === 'integration-event');
    expect(published.map((entry) => entry.detailType).sort()).toEqual(
      events.map((event) => `${event.type}.v1`).sort(),
    );

    const people = await es(['trace', correlationId, ...bus]);
    expect(people.code).toBe(0);
    expect(people.lines[0]).toBe(
      `Request ${correlationId}: 5 events, ${trace.durationMs.toLocaleString('en-US')} ms from first to last`,
    );
    expect(people.lines[1]).toMatch(/^\+ +0 ms {2}\S+ {2}event +transfer-\S+@1 TransferRequested /);
    expect((await es(['trace', 'no-such-request'])).code).toBe(1);
  });

  it('reports a transfer that cannot advance as stuck, and finishes it once the cause is fixed', async () => {
    // A source account whose stream has a hole can never be loaded: the transfer cannot move.
    const { accountId: broken, fillHole } = await t.accountWithHole();
    const target = await openAccount(0);
    const response = await t.api.post('/transfers', {
      body: { fromAccountId: broken, toAccountId: target, amount: 5 },
    });
    expect(response.status).toBe(202);
    const transferId = response.body.transferId as string;

    process.env.STUCK_TRANSFER_AFTER_SECONDS = '0';
    type Check = { stuck: { transferId: string }[]; resumed: string[] };
    const check = async () => (await t.stack.schedules.run('stuckTransfers')) as Check;
    const stuck = await waitFor(
      async () => (await check()).stuck.find((s) => s.transferId === transferId),
      { timeoutMs: 30_000, intervalMs: 200, description: 'the transfer to be reported stuck' },
    );
    expect(stuck).toMatchObject({ fromAccountId: broken, toAccountId: target, amount: 5 });
    expect((await t.api.get(`/transfers/${transferId}`)).body.status).toBe('requested');

    // The missing event restored, the next check runs the transfer to its end.
    await fillHole();
    const after = await check();
    expect(after.resumed).toContain(transferId);
    expect(after.stuck.map((s) => s.transferId)).not.toContain(transferId);
    expect((await t.api.get(`/transfers/${transferId}`)).body.status).toBe('completed');
    expect(await balanceOf(target)).toBe(5);
  });
});
