import { PUBLISHED_EVENT_TYPES } from '../../functions/integration/mapping';
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { instanceStreamId } from '../../functions/eventsourcing/process-manager';
import { TIMER_VARIABLES, directorySchedulerApi } from '../../functions/eventsourcing/timers';
import { timerEnvironment } from '../../local/timers';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  EventStore,
  createDynamoDbClient,
  type RecordedEvent,
} from '../../functions/eventsourcing';
import { accountEvents } from '../../functions/accounts/events';
import { createS3Client } from '../../functions/eventsourcing/aws';
import { eventFromItem, isEventItem } from '../../functions/eventsourcing/event-items';
import {
  HISTORY_LOG_VARIABLE,
  LOCAL_SIGNING_KEY_PREFIX,
  signerFromEnv,
  verifyProof,
} from '../../functions/eventsourcing/integrity';
import {
  EVENT_BUS_NAME_VARIABLE,
  bucketEnvironment,
  prefixedBucketNames,
  prefixedTableNames,
  signingKeyEnvVar,
  tableNameEnvVar,
  type FunctionDeclaration,
  type TableAccess,
} from '../../functions/eventsourcing/declaration';
import {
  buckets as declaredBuckets,
  functions,
  signingKeys as declaredSigningKeys,
  tables as declaredTables,
  type FunctionKey,
  type TableKey,
} from '../../functions/system';
import { createBuckets } from '../../local/buckets';
import { startLocalEventBus, type LocalEventBus } from '../../local/event-bus';
import { loadFunctionHandler } from '../../functions/eventsourcing/declaration';
import { createTables } from '../../local/tables';
import { apiEvent, jwtCaller, lambdaContext } from '../support/api-gateway-events';
import { startGrantingProxy, type GrantingProxy } from '../support/granting-proxy';
import { insertRecord } from '../support/projection-fixture';
import { requestTransfer } from '../support/requested-transfer';
import {
  LOCAL_PERSONAL_DATA_KEY_PREFIX,
  PERSONAL_DATA_KEY_VARIABLE,
} from '../../functions/eventsourcing/personal';

type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context: typeof lambdaContext,
) => Promise<{ statusCode: number; body: string }>;
type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: typeof lambdaContext,
) => Promise<{ batchItemFailures: unknown[] }>;

const endpoint = inject('dynamoDbEndpoint');
const prefix = `g${randomUUID().slice(0, 8)}-`;
const names = prefixedTableNames(declaredTables, prefix);
const bucketNames = prefixedBucketNames(declaredBuckets, prefix);
const s3Endpoint = inject('s3Endpoint');
/** Where the functions' environment finds what is not a table: buckets, signing keys, the log. */
const otherResources = {
  S3_ENDPOINT: s3Endpoint,
  [HISTORY_LOG_VARIABLE]: 'function-grants',
  ...bucketEnvironment(bucketNames),
  ...Object.fromEntries(
    Object.keys(declaredSigningKeys).map((key) => [
      signingKeyEnvVar(key),
      `${LOCAL_SIGNING_KEY_PREFIX}${mkdtempSync(path.join(tmpdir(), 'grants-keys-'))}`,
    ]),
  ),
};
/** The master key of subjects' data keys, for the functions declared with personal data. */
/** Where the functions that set timers keep them, as the local stack does. */
const schedulesDir = mkdtempSync(path.join(tmpdir(), 'grants-timers-'));
const personalDataKey = `${LOCAL_PERSONAL_DATA_KEY_PREFIX}${mkdtempSync(path.join(tmpdir(), 'grants-personal-'))}`;
const admin = createDynamoDbClient({ endpoint, region: 'local' });
let bus: LocalEventBus;
const proxies: GrantingProxy[] = [];
/** Functions run with their declared grants. */
const tested = new Set<FunctionKey>();

beforeAll(async () => {
  await createTables(admin, names);
  await createBuckets(createS3Client({ endpoint: s3Endpoint }), bucketNames);
  bus = await startLocalEventBus();
});
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  await bus.stop();
  admin.destroy();
});

/**
 * Loads a declared function's handler as Lambda would, in fresh modules, with only the
 * environment its declaration gives it, its DynamoDB calls going through a proxy that refuses
 * whatever the declaration does not grant.
 */
async function asDeployed<Handler>(
  key: FunctionKey,
  grants: FunctionDeclaration['tables'] = functions[key].tables,
): Promise<{ handler: Handler; proxy: GrantingProxy }> {
  const declaration: FunctionDeclaration = functions[key];
  const tables = Object.entries(declaration.tables) as [TableKey, TableAccess][];
  const proxy = await startGrantingProxy(
    endpoint,
    Object.fromEntries(
      (Object.entries(grants) as [TableKey, TableAccess][]).map(([table, access]) => [
        names[table],
        access,
      ]),
    ),
  );
  proxies.push(proxy);
  if (grants === declaration.tables) tested.add(key);
  for (const variable of Object.keys(process.env)) {
    if (variable.startsWith('TABLE_')) delete process.env[variable];
  }
  delete process.env[EVENT_BUS_NAME_VARIABLE];
  delete process.env[PERSONAL_DATA_KEY_VARIABLE];
  for (const variable of Object.values(TIMER_VARIABLES)) delete process.env[variable];
  Object.assign(process.env, {
    ...otherResources,
    DYNAMODB_ENDPOINT: proxy.endpoint,
    AWS_REGION: 'local',
    POWERTOOLS_SERVICE_NAME: key,
    ...Object.fromEntries(tables.map(([table]) => [tableNameEnvVar(table), names[table]])),
    ...(declaration.eventBus
      ? { [EVENT_BUS_NAME_VARIABLE]: 'integration', EVENTBRIDGE_ENDPOINT: bus.endpoint }
      : {}),
    ...(declaration.personalData ? { [PERSONAL_DATA_KEY_VARIABLE]: personalDataKey } : {}),
    ...(declaration.timers ? timerEnvironment(schedulesDir) : {}),
  });
  vi.resetModules();
  return { handler: await loadFunctionHandler<Handler>(declaration), proxy };
}

/** The tables a function declares that its calls never touched, and what was refused. */
function unusedAndRefused(key: FunctionKey, proxy: GrantingProxy) {
  const touched = new Set(proxy.used.map(({ table }) => table));
  return {
    unused: Object.keys(functions[key].tables).filter(
      (table) => !touched.has(names[table as TableKey]),
    ),
    refused: proxy.refused,
  };
}

const post = (routeKey: string, body: unknown, options: Parameters<typeof apiEvent>[1] = {}) =>
  apiEvent(routeKey, { ...options, body: JSON.stringify(body) });

async function storedEvents(): Promise<RecordedEvent[]> {
  const { Items = [] } = await admin.send(
    new ScanCommand({ TableName: names.events, ConsistentRead: true }),
  );
  return Items.filter(isEventItem)
    .map(eventFromItem)
    .sort((a, b) => a.streamId.localeCompare(b.streamId) || a.version - b.version);
}

const ids: {
  source?: string;
  target?: string;
  order?: string;
  transfers: string[];
  indexed?: number;
} = {
  transfers: [],
};

/**
 * Every function runs its real code paths with only its declared access: each test lets one
 * function work (requests it answers, batches it consumes) and then checks that nothing it did
 * was refused and that it used every table it is granted.
 */
describe.sequential('each function with exactly its declared grants', () => {
  it('accountCommands opens accounts, takes deposits until a snapshot, withdraws', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('accountCommands');
    const open = async (ownerId: string) => {
      const opened = await handler(
        post(
          'POST /accounts',
          { ownerId, holderName: 'Grant Holder', email: 'grants@example.org' },
          { headers: { 'idempotency-key': randomUUID() } },
        ),
        lambdaContext,
      );
      expect(opened.statusCode, opened.body).toBe(201);
      return (JSON.parse(opened.body) as { accountId: string }).accountId;
    };
    ids.source = await open('grants');
    ids.target = await open('grants');
    // 50 events make the default snapshot strategy write one.
    for (let deposit = 0; deposit < 50; deposit++) {
      const answer = await handler(
        post(
          'POST /accounts/{accountId}/deposits',
          { amount: 100 },
          {
            path: `/accounts/${ids.source}/deposits`,
            pathParameters: { accountId: ids.source },
          },
        ),
        lambdaContext,
      );
      expect(answer.statusCode, answer.body).toBe(200);
    }
    const withdrawn = await handler(
      post(
        'POST /accounts/{accountId}/withdrawals',
        { amount: 10 },
        {
          path: `/accounts/${ids.source}/withdrawals`,
          pathParameters: { accountId: ids.source },
        },
      ),
      lambdaContext,
    );
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(unusedAndRefused('accountCommands', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('orderCommands creates and confirms an order', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('orderCommands');
    const created = await handler(
      post(
        'POST /orders',
        {
          customerId: 'grants',
          items: [{ productId: 'p', quantity: 1, unitPrice: 100 }],
          shippingAddress: {
            name: 'Grant Holder',
            line1: '1 Grant Street',
            city: 'Grantham',
            postalCode: 'NG31',
            country: 'GB',
          },
        },
        { headers: { 'idempotency-key': randomUUID() } },
      ),
      lambdaContext,
    );
    expect(created.statusCode, created.body).toBe(201);
    ids.order = (JSON.parse(created.body) as { orderId: string }).orderId;
    const confirmed = await handler(
      post(
        'POST /orders/{orderId}/confirm',
        {},
        {
          path: `/orders/${ids.order}/confirm`,
          pathParameters: { orderId: ids.order },
        },
      ),
      lambdaContext,
    );
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(unusedAndRefused('orderCommands', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('productCommands adds a product', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('productCommands');
    const added = await handler(
      post(
        'POST /products',
        { productId: 'grants-lamp', name: 'Lamp', unitPrice: 100 },
        { headers: { 'idempotency-key': randomUUID() } },
      ),
      lambdaContext,
    );
    expect(added.statusCode, added.body).toBe(201);
    expect(unusedAndRefused('productCommands', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('transferCommands posts transfers', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('transferCommands');
    const posted = await handler(
      post(
        'POST /transfers',
        { fromAccountId: ids.source, toAccountId: ids.target, amount: 25 },
        { headers: { 'idempotency-key': randomUUID() } },
      ),
      lambdaContext,
    );
    expect(posted.statusCode, posted.body).toBe(201);
    expect(unusedAndRefused('transferCommands', proxy)).toEqual({ unused: [], refused: [] });
    // Transfers requested before postings, for the functions that finish them.
    for (let transfer = 0; transfer < 2; transfer++) {
      const requested = { fromAccountId: ids.source!, toAccountId: ids.target!, amount: 25 };
      ids.transfers.push(
        await requestTransfer({ client: admin, eventsTable: names.events }, requested),
      );
    }
  });

  it('the projections host projects every event so far, one of them delivered late', async () => {
    const { handler, proxy } = await asDeployed<StreamHandler>('projections');
    const events = await storedEvents();
    // Streams order records per item only: a deposit arriving after the next one is read from
    // the events table when the next one comes.
    const late = events.find(
      (event) => event.streamId === `account-${ids.source}` && event.version === 10,
    )!;
    const records = events.filter((event) => event !== late).map((event) => insertRecord(event));
    expect((await handler({ Records: records }, lambdaContext)).batchItemFailures).toEqual([]);
    const lateRecord = { Records: [insertRecord(late)] };
    expect((await handler(lateRecord, lambdaContext)).batchItemFailures).toEqual([]);
    expect(unusedAndRefused('projections', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('the reactions host runs the first transfer and publishes every event', async () => {
    const { handler, proxy } = await asDeployed<StreamHandler>('reactions');
    const second = `transfer-${ids.transfers[1]}`;
    const given = (await storedEvents()).filter((event) => event.streamId !== second);
    const records = given.map((event) => insertRecord(event));
    expect((await handler({ Records: records }, lambdaContext)).batchItemFailures).toEqual([]);
    // Every event is indexed; every event of a publishing context is published.
    ids.indexed = records.length;
    const published = given.filter((event) =>
      (PUBLISHED_EVENT_TYPES as readonly string[]).includes(event.type),
    );
    expect(published.length).toBeLessThan(records.length);
    expect(bus.events.length).toBe(published.length);
    expect(unusedAndRefused('reactions', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('processTimers delivers the timer the order fulfilment set', async () => {
    const schedules = directorySchedulerApi(schedulesDir);
    const [name] = await schedules.list();
    expect(name).toBeDefined();
    const { Target } = await schedules.get({ Name: name! });
    const delivery = JSON.parse(Target.Input!) as Record<string, unknown>;
    expect(delivery).toMatchObject({ process: 'order-fulfilment', instanceId: ids.order });
    const { handler, proxy } = await asDeployed<(input: unknown) => Promise<void>>('processTimers');
    await handler(delivery);
    const instance = await new EventStore({ client: admin, tableName: names.events }).read(
      instanceStreamId('order-fulfilment', ids.order!),
    );
    expect(instance.map((event) => (event.data as { inputId?: string }).inputId)).toContain(
      `timer:${String(delivery.timer)}:${String(delivery.timerId)}`,
    );
    expect(unusedAndRefused('processTimers', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('eventFeed pages through the global log the reactions host indexed, all and by type', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('eventFeed');
    const all = await handler(
      apiEvent('GET /events', { path: '/events', query: { limit: '1000' } }),
      lambdaContext,
    );
    expect(all.statusCode, all.body).toBe(200);
    const { events } = JSON.parse(all.body) as { events: { streamId: string; version: number }[] };
    // Every event the reactions host was given.
    expect(events.length).toBe(ids.indexed);
    const opened = await handler(
      apiEvent('GET /events', { path: '/events', query: { types: 'AccountOpened' } }),
      lambdaContext,
    );
    expect(opened.statusCode, opened.body).toBe(200);
    expect((JSON.parse(opened.body) as { events: unknown[] }).events).toHaveLength(2);
    expect(unusedAndRefused('eventFeed', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('sealCheckpoints seals the global log the reactions host indexed', async () => {
    const { handler, proxy } =
      await asDeployed<() => Promise<{ sealed: { lastPosition: number }[] }>>('sealCheckpoints');
    const { sealed } = await handler();
    expect(sealed.at(-1)?.lastPosition).toBe(ids.indexed);
    expect(unusedAndRefused('sealCheckpoints', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('archiveStreams archives a tombstoned stream on its schedule', async () => {
    const store = new EventStore({
      client: createDynamoDbClient({ endpoint }),
      tableName: names.events,
      catalogue: accountEvents.catalogue,
      archive: false,
    });
    const streamId = accountEvents.streamId(`mistake-${randomUUID()}`);
    const opened = { ownerId: 'grants', accountType: 'checking', currency: 'USD' } as const;
    await store.append(streamId, [{ type: 'AccountOpened', data: opened }], {
      expectedVersion: 'no_stream',
    });
    await store.close(streamId, 'opened by mistake', { expectedVersion: 1 });
    const { handler, proxy } =
      await asDeployed<() => Promise<{ streams: number }>>('archiveStreams');
    expect((await handler()).streams).toBeGreaterThanOrEqual(1);
    expect(unusedAndRefused('archiveStreams', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('eventProofs proves a sealed event for an operator, and refuses anyone else', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('eventProofs');
    const streamId = `account-${ids.source!}`;
    const request = (caller: Parameters<typeof apiEvent>[1]) =>
      handler(
        apiEvent('GET /streams/{streamId}/events/{version}/proof', {
          path: `/streams/${streamId}/events/1/proof`,
          pathParameters: { streamId, version: '1' },
          ...caller,
        }),
        lambdaContext,
      );
    const answer = await request({});
    expect(answer.statusCode, answer.body).toBe(200);
    const publicKey = await (await signerFromEnv('checkpoints')).publicKeyPem();
    expect(verifyProof(JSON.parse(answer.body), publicKey)).toMatchObject({ ok: true });
    expect((await request({ authorizer: jwtCaller('mallory') })).statusCode).toBe(403);
    expect((await request({ authorizer: jwtCaller('olga', ['operators']) })).statusCode).toBe(200);
    expect(unusedAndRefused('eventProofs', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('stuckTransfers finishes the transfer nobody ran', async () => {
    process.env.STUCK_TRANSFER_AFTER_SECONDS = '0';
    const { handler, proxy } =
      await asDeployed<() => Promise<{ resumed: string[] }>>('stuckTransfers');
    expect((await handler()).resumed).toContain(ids.transfers[1]);
    expect(unusedAndRefused('stuckTransfers', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('accountQueries answers from read models, snapshots and events', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('accountQueries');
    const accountId = ids.source!;
    for (const [routeKey, path, query] of [
      ['GET /accounts/{accountId}', `/accounts/${accountId}`, undefined],
      ['GET /accounts/{accountId}/history', `/accounts/${accountId}/history`, undefined],
      ['GET /accounts/{accountId}/state', `/accounts/${accountId}/state`, undefined],
      ['GET /accounts/{accountId}/events', `/accounts/${accountId}/events`, { limit: '5' }],
    ] as const) {
      const answer = await handler(
        apiEvent(routeKey, { path, pathParameters: { accountId }, ...(query ? { query } : {}) }),
        lambdaContext,
      );
      expect(answer.statusCode, `${routeKey}: ${answer.body}`).toBe(200);
    }
    const owned = await handler(
      apiEvent('GET /owners/{ownerId}/accounts', {
        path: '/owners/grants/accounts',
        pathParameters: { ownerId: 'grants' },
      }),
      lambdaContext,
    );
    expect(owned.statusCode, owned.body).toBe(200);
    expect(unusedAndRefused('accountQueries', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('orderQueries answers from its read models', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('orderQueries');
    const orderId = ids.order!;
    const order = await handler(
      apiEvent('GET /orders/{orderId}', {
        path: `/orders/${orderId}`,
        pathParameters: { orderId },
      }),
      lambdaContext,
    );
    expect(order.statusCode, order.body).toBe(200);
    const listed = await handler(
      apiEvent('GET /customers/{customerId}/orders', {
        path: '/customers/grants/orders',
        pathParameters: { customerId: 'grants' },
      }),
      lambdaContext,
    );
    expect(listed.statusCode, listed.body).toBe(200);
    expect(unusedAndRefused('orderQueries', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('productQueries answers from the catalogue', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('productQueries');
    const product = await handler(
      apiEvent('GET /products/{productId}', {
        path: '/products/grants-lamp',
        pathParameters: { productId: 'grants-lamp' },
      }),
      lambdaContext,
    );
    expect(product.statusCode, product.body).toBe(200);
    expect(unusedAndRefused('productQueries', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('transferQueries answers from the transfer stream', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('transferQueries');
    const transferId = ids.transfers[0]!;
    const answer = await handler(
      apiEvent('GET /transfers/{transferId}', {
        path: `/transfers/${transferId}`,
        pathParameters: { transferId },
      }),
      lambdaContext,
    );
    expect(answer.statusCode, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'completed' });
    expect(unusedAndRefused('transferQueries', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('health answers with no table at all', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('health');
    expect((await handler(apiEvent('GET /health'), lambdaContext)).statusCode).toBe(200);
    expect(proxy.used).toEqual([]);
  });

  it('subjectErasure erases a subject: ledger, key, snapshots, read models, clear events', async () => {
    const { handler, proxy } = await asDeployed<ApiHandler>('subjectErasure');
    const erased = await handler(
      post(
        'POST /subjects/{subjectId}/erasure',
        { reason: 'grants test' },
        { path: '/subjects/grants/erasure', pathParameters: { subjectId: 'grants' } },
      ),
      lambdaContext,
    );
    expect(erased.statusCode, erased.body).toBe(200);
    expect(JSON.parse(erased.body)).toMatchObject({ subject: 'grants', snapshots: 1 });
    expect(unusedAndRefused('subjectErasure', proxy)).toEqual({ unused: [], refused: [] });
  });

  it('covers every declared function', () => {
    expect([...tested].sort()).toEqual(Object.keys(functions).sort());
  });

  it('refuses what a declaration leaves out, as IAM would', async () => {
    const grants = Object.fromEntries(
      Object.entries(functions.accountQueries.tables).filter(([table]) => table !== 'events'),
    );
    const { handler, proxy } = await asDeployed<ApiHandler>('accountQueries', grants);
    const accountId = ids.source!;
    const answer = await handler(
      apiEvent('GET /accounts/{accountId}/events', {
        path: `/accounts/${accountId}/events`,
        pathParameters: { accountId },
      }),
      lambdaContext,
    );
    expect(answer.statusCode).toBe(500);
    expect(proxy.refused).toEqual([{ action: 'dynamodb:Query', table: names.events }]);
  });
});
