import { REPLAYED_HEADER } from '../../functions/eventsourcing/http/idempotency';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transferEvents } from '../../functions/transfers/events';
import type { ReceivedEvent } from '../../local/event-bus';
import { waitFor } from '../../local/wait-for';
import { seededRandom } from '../support/balance-projection';
import { startTestApi, type TestApi } from '../support/local-api';
import { requestTransfer } from '../support/requested-transfer';
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

const openAccount = (deposit: number) => t.openAccount('transfers-e2e', deposit);

async function balanceOf(accountId: string): Promise<number> {
  const response = await t.api.get(`/accounts/${accountId}/state`);
  expect(response.status, response.text).toBe(200);
  return (response.body.state as { balance: number }).balance;
}

async function balancesOf(accountIds: readonly string[]): Promise<Map<string, number>> {
  return new Map(
    await Promise.all(accountIds.map(async (id) => [id, await balanceOf(id)] as const)),
  );
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

const postTransfer = (body: Omit<Transfer, 'transferId'>, headers: Record<string, string> = {}) =>
  t.api.post('/transfers', { body, headers });

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

/** How many withdrawals and deposits (`transferId:eventType`) each transfer made. */
function transferMoves(events: readonly { type: string; data: unknown }[]): Map<string, number> {
  const moves = new Map<string, number>();
  for (const event of events) {
    const { transferId } = event.data as { transferId?: string };
    if (!transferId) continue;
    const move = `${transferId}:${event.type}`;
    moves.set(move, (moves.get(move) ?? 0) + 1);
  }
  return moves;
}

describe('money transfers over the local stack', () => {
  it('posts a transfer: 201 with the completed transfer, both balances moved at once', async () => {
    const [from, to] = await Promise.all([openAccount(500), openAccount(0)]);
    const body = { fromAccountId: from, toAccountId: to, amount: 200 };
    const key = { 'idempotency-key': `post-once-${from}` };
    const posted = await postTransfer(body, key);
    expect(posted.status, posted.text).toBe(201);
    const transferId = posted.body.transferId as string;
    const transfer = { transferId, fromAccountId: from, toAccountId: to, amount: 200 };
    expect(posted.body).toEqual({ ...transfer, status: 'completed' });
    expect(posted.headers.get('location')).toBe(`/transfers/${transferId}`);
    // Read right after the answer: no process runs later, the money already moved.
    expect(await balancesOf([from, to])).toEqual(
      new Map([
        [from, 300],
        [to, 200],
      ]),
    );
    const followed = await t.api.get(`/transfers/${transferId}`);
    expect(followed.body).toMatchObject({ ...transfer, status: 'completed', version: 1 });

    // The same request again, with its key: the stored answer, and the money moved once.
    const repeated = await postTransfer(body, key);
    expect(repeated.status).toBe(201);
    expect(repeated.body).toEqual(posted.body);
    expect(repeated.headers.get('idempotent-replayed')).toBe('true');
    expect(await balancesOf([from, to])).toEqual(
      new Map([
        [from, 300],
        [to, 200],
      ]),
    );
  });

  it('refuses a transfer the source cannot pay with 422 InsufficientFunds, writing nothing', async () => {
    const [from, to] = await Promise.all([openAccount(50), openAccount(0)]);
    const before = (await t.events()).length;
    const refused = await postTransfer({ fromAccountId: from, toAccountId: to, amount: 51 });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body).toMatchObject({
      error: { code: 'InsufficientFunds', message: expect.any(String) as string },
    });
    expect((await t.events()).length).toBe(before);
    expect(await balancesOf([from, to])).toEqual(
      new Map([
        [from, 50],
        [to, 0],
      ]),
    );
  });

  it('answers a transfer to a missing account 422 AccountNotFound, and a retry with its key the same', async () => {
    const from = await openAccount(100);
    const body = { fromAccountId: from, toAccountId: 'no-such-account', amount: 10 };
    const headers = { 'idempotency-key': `missing-target-${Date.now()}` };
    const refused = await postTransfer(body, headers);
    expect(refused.status, refused.text).toBe(422);
    expect((refused.body.error as { code: string }).code).toBe('AccountNotFound');
    expect(refused.headers.get(REPLAYED_HEADER)).toBeNull();
    // The refusal is the request's answer: recorded under its key, replayed as it was.
    const retried = await postTransfer(body, headers);
    expect(retried.status).toBe(422);
    expect(retried.body).toEqual(refused.body);
    expect(retried.headers.get(REPLAYED_HEADER)).toBe('true');
  });

  it('never overdraws an account drained by concurrent transfers', async () => {
    const from = await openAccount(100);
    const targets = await Promise.all(Array.from({ length: 4 }, () => openAccount(0)));
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postTransfer({ fromAccountId: from, toAccountId: targets[i % 4]!, amount: 10 }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(statuses.filter((status) => status === 422)).toHaveLength(10);
    for (const answer of answers.filter((a) => a.status === 422)) {
      expect(answer.body).toMatchObject({ error: { code: 'InsufficientFunds' } });
    }
    const balances = await balancesOf([from, ...targets]);
    expect(balances.get(from)).toBe(0);
    expect(sum(balances.values())).toBe(100);
  });

  it(
    'posts 200 concurrent transfers: each one completes or writes nothing, money is conserved',
    { timeout: 120_000 },
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
      const initial = await balancesOf(accounts);

      const requests = Array.from({ length: 200 }, () =>
        randomTransfer(random, { funded, closed, empty, missing }),
      );
      const answers = await Promise.all(requests.map((body) => postTransfer(body)));

      const posted: Transfer[] = [];
      const reasons = new Set<string>();
      answers.forEach((answer, i) => {
        if (answer.status === 201) {
          posted.push({ transferId: answer.body.transferId as string, ...requests[i]! });
          return;
        }
        expect(answer.status, answer.text).toBe(422);
        reasons.add((answer.body.error as { code: string }).code);
      });
      expect(posted.length).toBeGreaterThan(0);
      expect([...reasons].sort()).toEqual([
        'AccountClosed',
        'AccountNotFound',
        'InsufficientFunds',
      ]);

      // Each account moved by exactly the transfers posted, and nothing else.
      const expected = new Map(initial);
      for (const transfer of posted) {
        expected.set(
          transfer.fromAccountId,
          expected.get(transfer.fromAccountId)! - transfer.amount,
        );
        expected.set(transfer.toAccountId, expected.get(transfer.toAccountId)! + transfer.amount);
      }
      const balances = await balancesOf(accounts);
      expect(balances).toEqual(expected);
      expect(sum(balances.values())).toBe(sum(initial.values()));

      // Each posted transfer withdrew once and deposited once; a refused one has no stream.
      const ours = new Set(accounts);
      const events = (await t.events()).filter((e) => {
        const { fromAccountId } = e.data as { fromAccountId?: string };
        return ours.has(fromAccountId ?? e.streamId.slice('account-'.length));
      });
      const moves = transferMoves(events);
      expect(moves.size).toBe(posted.length * 2);
      for (const { transferId } of posted) {
        expect(moves.get(`${transferId}:MoneyWithdrawn`), transferId).toBe(1);
        expect(moves.get(`${transferId}:MoneyDeposited`), transferId).toBe(1);
      }
      const transferStreams = events.filter((e) => e.type === 'TransferPosted');
      expect(transferStreams.map((e) => e.streamId).sort()).toEqual(
        posted.map(({ transferId }) => transferEvents.streamId(transferId)).sort(),
      );

      // No posted transfer is ever in flight, so the stuck-transfer check finds nothing.
      process.env.STUCK_TRANSFER_AFTER_SECONDS = '0';
      const { stuck } = (await t.stack.schedules.run('stuckTransfers')) as { stuck: unknown[] };
      expect(stuck).toEqual([]);
    },
  );

  it("gives the posting's three events the request's correlation id and cause", async () => {
    const from = await openAccount(500);
    const to = await openAccount(0);
    const correlationId = `transfer-flow:${Date.now()}`;
    const posted = await postTransfer(
      { fromAccountId: from, toAccountId: to, amount: 200 },
      { 'x-correlation-id': correlationId },
    );
    expect(posted.status, posted.text).toBe(201);
    expect(posted.headers.get('x-correlation-id')).toBe(correlationId);
    const transferId = posted.body.transferId as string;

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
    const posting = byType(`transfer-${transferId}`, 'TransferPosted');
    const withdrawal = byType(`account-${from}`, 'MoneyWithdrawn');
    const deposit = byType(`account-${to}`, 'MoneyDeposited');
    expect(withdrawal.data.transferId).toBe(transferId);
    expect(deposit.data.transferId).toBe(transferId);

    const steps = [posting, withdrawal, deposit];
    expect(posting.metadata.commandId).toBeTruthy();
    for (const event of steps) {
      expect(event.metadata, event.type).toMatchObject({
        correlationId,
        actor: 'arn:aws:iam::000000000000:user/local-developer',
        causationId: posting.metadata.commandId,
      });
    }

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
      const posted = await postTransfer(
        { fromAccountId: from, toAccountId: to, amount: 120 },
        { 'x-correlation-id': correlationId },
      );
      expect(posted.status, posted.text).toBe(201);
      transferId = posted.body.transferId as string;
      // Three events: the posting, its withdrawal and its deposit.
      lines = await waitFor(
        () => {
          const ours = logs.lines().filter((line) => line.correlationId === correlationId);
          const logged = (message: string) =>
            new Set(ours.filter((line) => line.message === message).map((line) => line.eventId));
          const done = ['Integration event published', 'Consumed event'].every(
            (message) => logged(message).size >= 3,
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
        `${transferStream}:TransferPosted`,
        `account-${from}:MoneyWithdrawn`,
        `account-${to}:MoneyDeposited`,
      ].sort(),
    );

    expect(lines).toContainEqual(
      expect.objectContaining({
        message: 'Request answered',
        routeKey: 'POST /transfers',
        status: 201,
      }),
    );
    // Nothing is left for the process manager to do.
    expect(lines.filter((line) => line.consumer === 'transfer-process')).toEqual([]);
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
          kinds.filter((kind) => kind === 'event').length === 3 &&
          kinds.filter((kind) => kind === 'integration-event').length === 3;
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
    // One transaction: the three events were recorded at once, all caused by the request.
    expect(new Set(traced.map((entry) => entry.elapsedMs))).toEqual(new Set([0]));
    for (const type of ['TransferPosted', 'MoneyWithdrawn', 'MoneyDeposited']) {
      expect(tracedType(type).causedBy, type).toBeUndefined();
      expect(tracedType(type).handledBy).toContain('integration-publisher');
      expect(tracedType(type).handledBy).not.toContain('transfer-process');
    }
    const published = trace.entries.filter((entry) => entry.kind === 'integration-event');
    expect(published.map((entry) => entry.detailType).sort()).toEqual(
      events.map((event) => `${event.type}.v1`).sort(),
    );

    const people = await es(['trace', correlationId, ...bus]);
    expect(people.code).toBe(0);
    expect(people.lines[0]).toBe(
      `Request ${correlationId}: 3 events, ${trace.durationMs.toLocaleString('en-US')} ms from first to last`,
    );
    // The posting's events come first, all at once.
    const postingLines = people.lines.slice(1, 4);
    for (const type of ['TransferPosted', 'MoneyWithdrawn', 'MoneyDeposited']) {
      expect(postingLines).toContainEqual(
        expect.stringMatching(new RegExp(`^\\+ +0 ms {2}\\S+ {2}event +\\S+@\\d+ ${type} `)),
      );
    }
    expect((await es(['trace', 'no-such-request'])).code).toBe(1);
  });

  it('reports a transfer requested before postings that cannot advance as stuck, and finishes it once the cause is fixed', async () => {
    // A source account whose stream has a hole can never be loaded: the transfer cannot move.
    const { accountId: broken, fillHole } = await t.accountWithHole();
    const target = await openAccount(0);
    const transferId = await requestTransfer(
      { client: t.client, eventsTable: t.stack.tableNames.events },
      { fromAccountId: broken, toAccountId: target, amount: 5 },
    );

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
