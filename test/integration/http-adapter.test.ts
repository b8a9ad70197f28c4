import { Metrics } from '@aws-lambda-powertools/metrics';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  AggregateRepository,
  CommandHandler,
  DomainError,
  EventCatalogue,
  EventStore,
  type Decider,
} from '../../functions/eventsourcing';
import { logger } from '../../functions/eventsourcing';
import { httpHandler, route } from '../../functions/eventsourcing/http';
import { requireOwner } from '../../functions/eventsourcing/http';
import { commandRoutes } from '../../functions/eventsourcing/http';
import { IdempotencyKeys } from '../../functions/eventsourcing/http';
import { MAX_BODY_BYTES } from '../../functions/eventsourcing/http/request';
import { commandResponse, ok } from '../../functions/eventsourcing/http';
import { money, resourceId } from '../../functions/eventsourcing/http';
import {
  TEST_CALLER_ARN,
  apiEvent,
  jwtCaller,
  type TestAuthorizer,
} from '../support/api-gateway-events';
import type { ApiBody } from '../support/api-types';
import { createTestTables, type TestTables } from '../support/dynamodb';
import { putStoredEvent } from '../support/stored-items';

/** A test aggregate: widgets are touched by amounts; `fail` makes the decider refuse or break. */
const widgetEvents = EventCatalogue.of({
  WidgetTouched: z.object({ amount: z.int(), owner: z.string() }),
});
type WidgetCommand = { amount: number; fail?: string | undefined; owner: string };
type WidgetState = { total: number; touches: number; owner?: string };

let decisions = 0;
const widgets: Decider<
  WidgetCommand,
  WidgetState,
  { type: 'WidgetTouched'; data: { amount: number; owner: string } }
> = {
  initialState: { total: 0, touches: 0 },
  evolve: (state, event) => ({
    total: state.total + event.data.amount,
    touches: state.touches + 1,
    owner: state.owner ?? event.data.owner,
  }),
  decide(command, state) {
    decisions += 1;
    if (command.fail === 'missing') throw new DomainError('WidgetNotFound', 'no such widget');
    if (command.fail === 'duplicate') throw new DomainError('WidgetAlreadyExists', 'exists');
    if (command.fail === 'rule') {
      throw new DomainError('WidgetBroken', 'broken', { reason: 'test', total: state.total });
    }
    if (command.fail === 'bug') throw new Error('secret internals');
    if (command.fail === 'nothing') return [];
    return [{ type: 'WidgetTouched', data: { amount: command.amount, owner: command.owner } }];
  },
};

let tables: TestTables;
let store: EventStore;
let handler: ReturnType<typeof httpHandler>;

const streamOf = (widgetId: string) => `widget-${widgetId}`;

beforeAll(async () => {
  tables = await createTestTables();
  const widgetStore = new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue: widgetEvents,
  });
  store = widgetStore;
  const commands = new CommandHandler(new AggregateRepository(widgetStore, widgets), {
    maxAttempts: 3,
    baseDelayMs: 1,
    maxDelayMs: 2,
  });
  const keys = new IdempotencyKeys(tables.client, tables.names.idempotency);
  const command = commandRoutes(() => commands);
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const metrics = new Metrics({ namespace: 'Test', serviceName: 'widgets' });
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  handler = httpHandler(
    {
      'POST /widgets/{widgetId}': command({
        params: z.strictObject({ widgetId: resourceId }),
        body: z.strictObject({
          amount: money(1_000_000_000_000),
          parts: z.array(z.strictObject({ name: z.string() })).optional(),
          fail: z.string().optional(),
        }),
        target: ({ params, body, caller }) => ({
          streamId: streamOf(params.widgetId),
          command: { amount: body.amount, fail: body.fail, owner: caller.actor },
        }),
        authorize: ({ state, request }) => requireOwner(request.caller, state.owner, 'widget'),
        respond: ({ version, state }) =>
          commandResponse(200, { version, total: state.total, touches: state.touches }),
      }),
      'POST /widgets/{widgetId}/touch': command({
        params: z.strictObject({ widgetId: resourceId }),
        target: ({ params, caller }) => ({
          streamId: streamOf(params.widgetId),
          command: { amount: 1, owner: caller.actor },
        }),
        respond: ({ version }) => commandResponse(200, { version }),
      }),
      'GET /widgets/{widgetId}': route({
        params: z.strictObject({ widgetId: resourceId }),
        handle: ({ params, caller }) =>
          Promise.resolve(ok({ widgetId: params.widgetId, caller: caller.actor })),
      }),
    },
    { idempotencyKeys: () => keys, metrics },
  );
});

let widgetCounter = 0;
const newWidget = () => `w${Date.now()}-${++widgetCounter}`;

interface CallOptions {
  headers?: Record<string, string>;
  routeKey?: string;
  widgetId?: string;
  authorizer?: TestAuthorizer;
}

/** Calls the handler as API Gateway would for one widget route; the body parsed as JSON. */
async function call(body: string | undefined, options: CallOptions = {}) {
  const result = await handler(widgetRequest(body, options));
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    text: result.body ?? '',
    body: result.body ? (JSON.parse(result.body) as ApiBody) : undefined,
  };
}

/** The API Gateway event of a widget request: `POST /widgets/w1` unless told otherwise. */
function widgetRequest(body: string | undefined, options: CallOptions) {
  const routeKey = options.routeKey ?? 'POST /widgets/{widgetId}';
  const widgetId = options.widgetId ?? 'w1';
  return apiEvent(routeKey, {
    path: routeKey.endsWith('/touch') ? `/widgets/${widgetId}/touch` : `/widgets/${widgetId}`,
    pathParameters: { widgetId },
    headers: options.headers ?? {},
    ...(body === undefined ? {} : { body }),
    ...('authorizer' in options ? { authorizer: options.authorizer } : {}),
  });
}

const versionsOf = async (widgetId: string) =>
  (await store.read(streamOf(widgetId))).map((event) => event.version);

describe('HTTP adapter', () => {
  it('answers JSON with a trailing newline', async () => {
    const result = await call('{"amount":5}', { widgetId: newWidget() });
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(result.text).toBe('{"version":1,"total":5,"touches":1}\n');
    expect(result.headers.etag).toBe('"1"');
  });

  it('answers 404 for a routeKey it does not serve', async () => {
    const result = await call(undefined, { routeKey: 'DELETE /widgets/{widgetId}' });
    expect(result.status).toBe(404);
    expect(result.body?.error?.code).toBe('RouteNotFound');
  });

  it('answers 401 to a request no authorizer admitted', async () => {
    const result = await call('{"amount":5}', { authorizer: undefined });
    expect(result.status).toBe(401);
    expect(result.body?.error?.code).toBe('Unauthenticated');
  });

  it('names every offending field', async () => {
    const result = await call('{"amount":"5","parts":[{"name":1}],"colour":"red"}');
    expect(result.status).toBe(400);
    expect(result.body?.error?.code).toBe('ValidationFailed');
    const fields = (result.body?.error?.fields ?? []).map((f) => f.field).sort();
    expect(fields).toEqual(['amount', 'colour', 'parts[0].name']);
  });

  it('refuses amounts outside 1..10^12 and non-integers', async () => {
    for (const amount of ['0', '-3', '1.5', '1000000000001', '1e400', 'null']) {
      const result = await call(`{"amount":${amount}}`);
      expect(result.status, amount).toBe(400);
      expect(result.body?.error?.fields?.[0]?.field).toBe('amount');
    }
  });

  it('reports a missing body and a body that is not an object', async () => {
    expect((await call(undefined)).body?.error?.fields?.[0]?.field).toBe('body');
    expect((await call('[1,2]')).body?.error?.fields?.[0]?.field).toBe('body');
  });

  it('refuses malformed JSON with 400, other media types with 415, big bodies with 413', async () => {
    const malformed = await call('{"amount":');
    expect(malformed.status).toBe(400);
    expect(malformed.body?.error?.code).toBe('MalformedJson');
    const text = await call('amount=5', { headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.body?.error?.code).toBe('UnsupportedMediaType');
    const big = await call(JSON.stringify({ amount: 1, pad: 'x'.repeat(MAX_BODY_BYTES) }));
    expect(big.status).toBe(413);
    expect(big.body?.error?.code).toBe('PayloadTooLarge');
  });

  it('accepts JSON with a charset or a +json media type, and base64 bodies', async () => {
    const widgetId = newWidget();
    const charset = { 'content-type': 'application/json; charset=utf-8' };
    expect((await call('{"amount":1}', { widgetId, headers: charset })).status).toBe(200);
    const patch = { 'content-type': 'application/merge-patch+json' };
    expect((await call('{"amount":1}', { widgetId, headers: patch })).status).toBe(200);
    const result = await handler(
      apiEvent('POST /widgets/{widgetId}', {
        path: `/widgets/${widgetId}`,
        pathParameters: { widgetId },
        body: Buffer.from('{"amount":7}').toString('base64'),
        isBase64Encoded: true,
      }),
    );
    expect(JSON.parse(result.body!)).toMatchObject({ total: 9 });
  });

  it('takes no body, or an empty object, on a command without one', async () => {
    const touch = { routeKey: 'POST /widgets/{widgetId}/touch', widgetId: newWidget() };
    expect((await call(undefined, touch)).status).toBe(200);
    expect((await call('{}', touch)).status).toBe(200);
    const extra = await call('{"force":true}', touch);
    expect(extra.status).toBe(400);
    expect(extra.body?.error?.fields?.[0]?.field).toBe('force');
  });

  it('maps domain errors by their code', async () => {
    expect((await call('{"amount":1,"fail":"missing"}')).status).toBe(404);
    expect((await call('{"amount":1,"fail":"duplicate"}')).status).toBe(409);
    const rule = await call('{"amount":1,"fail":"rule"}', { widgetId: newWidget() });
    expect(rule.status).toBe(422);
    expect(rule.body?.error).toEqual({
      code: 'WidgetBroken',
      message: 'broken',
      details: { reason: 'test', total: 0 },
    });
  });

  it('applies If-Match: 412 with the current version when the stream moved, appending nothing', async () => {
    const widgetId = newWidget();
    await call('{"amount":1}', { widgetId });
    const stale = await call('{"amount":1}', { widgetId, headers: { 'if-match': '"0"' } });
    expect(stale.status).toBe(412);
    expect(stale.body?.error).toMatchObject({ code: 'PreconditionFailed', currentVersion: 1 });
    expect(await versionsOf(widgetId)).toEqual([1]);
    const fresh = await call('{"amount":1}', { widgetId, headers: { 'if-match': '"1"' } });
    expect(fresh.headers.etag).toBe('"2"');
    const next = await call('{"amount":1}', {
      widgetId,
      headers: { 'if-match': String(fresh.headers.etag) },
    });
    expect(next.status).toBe(200);
    expect(await versionsOf(widgetId)).toEqual([1, 2, 3]);
  });

  it('parses If-Match ETags and refuses anything else', async () => {
    const widgetId = newWidget();
    expect((await call('{"amount":1}', { widgetId, headers: { 'if-match': '*' } })).status).toBe(
      200,
    );
    expect(
      (await call('{"amount":1}', { widgetId, headers: { 'if-match': 'W/"1"' } })).status,
    ).toBe(200);
    const bad = await call('{"amount":1}', { widgetId, headers: { 'if-match': 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(bad.body?.error?.code).toBe('InvalidIfMatch');
  });

  it('hides unexpected errors behind a 500', async () => {
    const result = await call('{"amount":1,"fail":"bug"}');
    expect(result.status).toBe(500);
    expect(result.body?.error?.code).toBe('InternalError');
    expect(JSON.stringify(result.body)).not.toContain('secret');
  });

  it('refuses a JWT caller acting on what another owns with 403, writing nothing', async () => {
    const widgetId = newWidget();
    const ann = { authorizer: jwtCaller('ann'), widgetId };
    expect((await call('{"amount":2}', ann)).status).toBe(200);
    const bob = await call('{"amount":2}', { authorizer: jwtCaller('bob'), widgetId });
    expect(bob.status).toBe(403);
    expect(bob.body?.error?.code).toBe('Forbidden');
    expect(await versionsOf(widgetId)).toEqual([1]);
    const operator = { authorizer: jwtCaller('carol', ['staff', 'operators']), widgetId };
    expect((await call('{"amount":2}', operator)).status).toBe(200);
    expect((await call('{"amount":2}', { widgetId })).status).toBe(200);
    expect(await versionsOf(widgetId)).toEqual([1, 2, 3]);
  });

  describe('every event says who, why and from where', () => {
    it('records the actor, the correlation id and the command as cause', async () => {
      const widgetId = newWidget();
      const headers = { 'x-correlation-id': 'order-flow:42.a_b-c' };
      const answer = await call('{"amount":3}', { widgetId, headers });
      expect(answer.headers['x-correlation-id']).toBe('order-flow:42.a_b-c');
      await call('{"amount":3}', { widgetId, authorizer: jwtCaller('dana', ['operators']) });
      const [first, second] = await store.read(streamOf(widgetId));
      expect(first?.metadata).toMatchObject({
        actor: TEST_CALLER_ARN,
        correlationId: 'order-flow:42.a_b-c',
      });
      expect(first?.metadata.commandId).toEqual(expect.any(String));
      expect(first?.metadata.causationId).toBe(first?.metadata.commandId);
      expect(second?.metadata).toMatchObject({ actor: 'dana' });
      expect(second?.metadata.correlationId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    });

    it('replaces a correlation id that is too long or holds other characters', async () => {
      for (const sent of ['x'.repeat(10_000), 'x'.repeat(129), 'two words', 'naïve', '']) {
        const widgetId = newWidget();
        const answer = await call('{"amount":1}', {
          widgetId,
          headers: { 'x-correlation-id': sent },
        });
        const echoed = answer.headers['x-correlation-id'];
        expect(echoed).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
        const [event] = await store.read(streamOf(widgetId));
        expect(event?.metadata.correlationId).toBe(echoed);
      }
      const longest = 'y'.repeat(128);
      const kept = await call('{"amount":1}', {
        widgetId: newWidget(),
        headers: { 'x-correlation-id': longest },
      });
      expect(kept.headers['x-correlation-id']).toBe(longest);
    });

    it('adds the correlation id to every log line of the request, and only of that request', async () => {
      const lines: string[] = [];
      const capture = (chunk: unknown) => {
        lines.push(String(chunk));
        return true;
      };
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
      logger.setLogLevel('INFO');
      try {
        await call('{"amount":1,"fail":"bug"}', { headers: { 'x-correlation-id': 'first-req' } });
        await call('{"amount":1,"fail":"bug"}', { headers: { 'x-correlation-id': 'second-req' } });
      } finally {
        logger.setLogLevel('SILENT');
        out.mockRestore();
        err.mockRestore();
      }
      const logged = lines
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.includes('Unexpected error'))
        .map((line) => JSON.parse(line) as { correlationId?: string });
      expect(logged.map((line) => line.correlationId)).toEqual(['first-req', 'second-req']);
    });
  });

  describe('a corrupt stored event', () => {
    it('fails commands on its stream with CorruptEvent, writes nothing and counts it', async () => {
      const widgetId = newWidget();
      await call('{"amount":5}', { widgetId });
      await putStoredEvent(tables.client, tables.names.events, {
        streamId: streamOf(widgetId),
        version: 2,
        type: 'WidgetTouched',
        data: { amount: 'not-a-number', owner: TEST_CALLER_ARN },
      });
      const output: string[] = [];
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        output.push(String(chunk));
        return true;
      });
      const key = { 'idempotency-key': `corrupt-${widgetId}` };
      const answers = [];
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          answers.push(await call('{"amount":1000}', { widgetId, headers: key }));
        }
      } finally {
        write.mockRestore();
      }
      for (const answer of answers) {
        expect(answer.status).toBe(500);
        expect(answer.body?.error).toMatchObject({
          code: 'CorruptEvent',
          streamId: streamOf(widgetId),
          version: 2,
          field: 'data.amount',
        });
        expect(answer.headers['idempotent-replayed']).toBeUndefined();
      }
      const raw = new EventStore({ client: tables.client, tableName: tables.names.events });
      expect((await raw.read(streamOf(widgetId))).map((event) => event.version)).toEqual([1, 2]);
      const counted = output
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(counted).toHaveLength(2);
      expect(counted[0]).toMatchObject({ CorruptEvents: 1, service: 'widgets' });
    });
  });

  describe('Idempotency-Key', () => {
    const key = (name: string) => ({
      'idempotency-key': `${name}-${Date.now()}-${++widgetCounter}`,
    });

    it('runs a request once and replays its first answer byte for byte', async () => {
      const widgetId = newWidget();
      const headers = key('a');
      const first = await call('{"amount":5}', { widgetId, headers });
      const again = await call('{ "amount" : 5 }', { widgetId, headers });
      expect(again.status).toBe(200);
      expect(again.text).toBe(first.text);
      expect(again.headers.etag).toBe(first.headers.etag);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(await versionsOf(widgetId)).toEqual([1]);
    });

    it('refuses the key with another body or another path, writing nothing', async () => {
      const widgetId = newWidget();
      const headers = key('b');
      expect((await call('{"amount":5}', { widgetId, headers })).status).toBe(200);
      const other = await call('{"amount":6}', { widgetId, headers });
      expect(other.status).toBe(422);
      expect(other.body?.error?.code).toBe('IdempotencyKeyReused');
      const elsewhere = await call(undefined, {
        headers,
        widgetId,
        routeKey: 'POST /widgets/{widgetId}/touch',
      });
      expect(elsewhere.status).toBe(422);
      const otherWidget = await call('{"amount":5}', { widgetId: newWidget(), headers });
      expect(otherWidget.status).toBe(422);
      expect(await versionsOf(widgetId)).toEqual([1]);
    });

    it('keeps a business-rule refusal: a retry gets the same answer without deciding again', async () => {
      const widgetId = newWidget();
      const headers = key('c');
      const refused = await call('{"amount":5,"fail":"rule"}', { widgetId, headers });
      expect(refused.status).toBe(422);
      await call('{"amount":7}', { widgetId });
      const before = decisions;
      const retried = await call('{"amount":5,"fail":"rule"}', { widgetId, headers });
      expect(retried.text).toBe(refused.text);
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(decisions).toBe(before);
    });

    it('keeps the answer of a command that decided nothing', async () => {
      const widgetId = newWidget();
      const headers = key('n');
      const first = await call('{"amount":5,"fail":"nothing"}', { widgetId, headers });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ version: 0 });
      const retried = await call('{"amount":5,"fail":"nothing"}', { widgetId, headers });
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(retried.text).toBe(first.text);
    });

    it('keeps no invalid request and no conflict, so the client may retry', async () => {
      const widgetId = newWidget();
      const headers = key('d');
      expect((await call('{"amount":-1}', { widgetId, headers })).status).toBe(400);
      const stale = await call('{"amount":2}', {
        widgetId,
        headers: { ...headers, 'if-match': '"3"' },
      });
      expect(stale.status).toBe(412);
      const done = await call('{"amount":2}', { widgetId, headers });
      expect(done.status).toBe(200);
      expect(done.headers['idempotent-replayed']).toBeUndefined();
      expect(await versionsOf(widgetId)).toEqual([1]);
    });

    it("scopes keys by caller: one caller never gets another's answer", async () => {
      const headers = key('e');
      const ann = await call('{"amount":5}', {
        widgetId: newWidget(),
        headers,
        authorizer: jwtCaller('ann'),
      });
      const bob = await call('{"amount":5}', {
        widgetId: newWidget(),
        headers,
        authorizer: jwtCaller('bob'),
      });
      expect(ann.status).toBe(200);
      expect(bob.status).toBe(200);
      expect(bob.headers['idempotent-replayed']).toBeUndefined();
    });

    it('gives 20 concurrent requests with one key one effect, and all of them its answer', async () => {
      const widgetId = newWidget();
      await call('{"amount":1}', { widgetId });
      const headers = key('f');
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => call('{"amount":10}', { widgetId, headers })),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
      expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
      expect(answers.filter((a) => a.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
      expect(await versionsOf(widgetId)).toEqual([1, 2]);
      expect(answers[0]?.body).toMatchObject({ version: 2, total: 11 });
    });

    it('refuses keys that are empty, too long or not visible ASCII', async () => {
      for (const value of ['', 'x'.repeat(129), 'naïve', 'two words']) {
        const result = await call('{"amount":5}', { headers: { 'idempotency-key': value } });
        expect(result.status, value).toBe(400);
        expect(result.body?.error?.code).toBe('InvalidIdempotencyKey');
      }
    });
  });

  it('hands query routes the caller', async () => {
    const answer = await call(undefined, {
      routeKey: 'GET /widgets/{widgetId}',
      authorizer: jwtCaller('gus'),
    });
    expect(answer.body).toEqual({ widgetId: 'w1', caller: 'gus' });
  });
});
