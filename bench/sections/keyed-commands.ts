import { createHash, randomUUID } from 'node:crypto';
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { CommandHandler } from '../../functions/eventsourcing';
import { httpHandler } from '../../functions/eventsourcing/http';
import { commandRoutes } from '../../functions/eventsourcing/http';
import { IDEMPOTENCY_TTL_SECONDS } from '../../functions/eventsourcing/http/idempotency';
import { IdempotencyKeys } from '../../functions/eventsourcing/http';
import { commandResponse } from '../../functions/eventsourcing/http';
import type { BenchEnvironment } from '../environment';
import { interleave, pairwiseRatio } from '../interleave';
import { timed } from '../load-generator';
import { countRequests, type CountedRequest } from '../request-counter';
import { frameworkStores } from '../seed';
import type { BenchSettings } from '../settings';
import { quantile, spread, type Spread } from '../stats';
import { WorkerStreams } from '../workload';

export const KEYED_SIDES = ['unkeyed', 'keyed', 'powertools'] as const;
export type KeyedSide = (typeof KEYED_SIDES)[number];

export interface KeyedSideResult {
  /** The requests one command sent, in order. */
  readonly requestSequence: readonly string[];
  readonly requests: number;
  readonly capacity: {
    readonly reported: { readonly read: number; readonly write: number };
    readonly byRules: { readonly read: number; readonly write: number };
  };
  /** Milliseconds per command: the median of each run, summarised over runs. */
  readonly ms: Spread;
}

export interface KeyedCommandsResult {
  readonly commandsPerRun: number;
  readonly sides: Record<KeyedSide, KeyedSideResult>;
  /** Powertools path time over the key-in-the-transaction path time, paired per run. */
  readonly powertoolsVersusKeyed: Spread;
}

const ROUTE = 'POST /accounts/{accountId}/deposits';
const CALLER_ARN = 'arn:aws:iam::000000000000:user/bench';

/** The payload 2.0 event of a deposit, as API Gateway hands it to the function. */
function depositEvent(accountId: string, key: string | undefined): APIGatewayProxyEventV2 {
  const path = `/accounts/${accountId}/deposits`;
  return {
    version: '2.0',
    routeKey: ROUTE,
    rawPath: path,
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    pathParameters: { accountId },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      authorizer: { iam: { userArn: CALLER_ARN } },
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: '' },
      requestId: randomUUID(),
      routeKey: ROUTE,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
    body: '{"amount":100}',
  } as APIGatewayProxyEventV2;
}

/**
 * The three ways to run one deposit over the HTTP adapter: without a key; with a key whose
 * record commits in the transaction of the event (this project); and with the request sequence
 * of Powertools idempotency around the unkeyed command, which this project used before. That
 * last one is a reconstruction (the package is no longer a dependency): the `PutItem` of the
 * in-progress record with Powertools' condition, the command, and the `UpdateItem` completing
 * the record with the response, item shapes and expressions as its `DynamoDBPersistenceLayer`
 * writes them. `ReturnValues: ALL_NEW` is added to the update only so that the request counter
 * can size the written item; it does not change what DynamoDB charges.
 */
function sides(env: BenchEnvironment): Record<KeyedSide, (accountId: string) => Promise<unknown>> {
  const commands = new CommandHandler(frameworkStores(env.client, env.tables).withoutSnapshots);
  const keys = new IdempotencyKeys(env.client, env.tables.idempotency);
  const command = commandRoutes(() => commands);
  const handle = httpHandler(
    {
      [ROUTE]: command({
        params: z.strictObject({ accountId: z.string() }),
        body: z.strictObject({ amount: z.int().positive() }),
        target: ({ params, body }) => ({
          streamId: params.accountId,
          command: { type: 'deposit', amount: body.amount },
        }),
        respond: ({ streamId, version, state }) =>
          commandResponse(200, { accountId: streamId, version, balance: state.balance }),
      }),
    },
    { idempotencyKeys: () => keys },
  );
  const powertoolsRecord = (key: string) =>
    marshall({ id: `bench#${createHash('md5').update(key).digest('hex')}` });
  const payloadHash = createHash('md5').update('{"amount":100}').digest('hex');

  return {
    unkeyed: (accountId) => handle(depositEvent(accountId, undefined)),
    keyed: (accountId) => handle(depositEvent(accountId, randomUUID())),
    powertools: async (accountId) => {
      const key = powertoolsRecord(randomUUID());
      const now = Date.now();
      await env.client.send(
        new PutItemCommand({
          TableName: env.tables.idempotency,
          Item: {
            ...key,
            ...marshall({
              expiration: Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS,
              status: 'INPROGRESS',
              in_progress_expiration: now + 10_000,
              validation: payloadHash,
            }),
          },
          ExpressionAttributeNames: {
            '#id': 'id',
            '#expiry': 'expiration',
            '#in_progress_expiry': 'in_progress_expiration',
            '#status': 'status',
          },
          ExpressionAttributeValues: marshall({
            ':now': now / 1000,
            ':now_in_millis': now,
            ':inprogress': 'INPROGRESS',
          }),
          ConditionExpression:
            'attribute_not_exists(#id) OR #expiry < :now OR ' +
            '(#status = :inprogress AND attribute_exists(#in_progress_expiry) AND ' +
            '#in_progress_expiry < :now_in_millis)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const response = await handle(depositEvent(accountId, undefined));
      await env.client.send(
        new UpdateItemCommand({
          TableName: env.tables.idempotency,
          Key: key,
          UpdateExpression:
            'SET #expiry = :expiry, #status = :status, #response_data = :response_data, ' +
            '#validation_key = :validation_key',
          ExpressionAttributeNames: {
            '#expiry': 'expiration',
            '#status': 'status',
            '#response_data': 'data',
            '#validation_key': 'validation',
          },
          ExpressionAttributeValues: marshall({
            ':expiry': Math.floor(Date.now() / 1000) + IDEMPOTENCY_TTL_SECONDS,
            ':status': 'COMPLETED',
            ':response_data': JSON.stringify(response),
            ':validation_key': payloadHash,
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
    },
  };
}

const total = (
  requests: readonly CountedRequest[],
  kind: 'read' | 'write',
  pick: 'reportedCapacity' | 'capacityByRules',
) => requests.filter((r) => r.kind === kind).reduce((sum, r) => sum + (r[pick] ?? 0), 0);

/**
 * Section 8: a keyed deposit through the HTTP adapter, three ways (see `sides`), on streams of
 * at most `commandStreamLength` events, one command at a time: the requests and capacity of one
 * command, and the time per command, the sides taking turns command by command.
 */
export async function measureKeyedCommands(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<KeyedCommandsResult> {
  const run = sides(env);
  const streams = Object.fromEntries(
    KEYED_SIDES.map((side) => [
      side,
      new WorkerStreams(`keyed-${side}-${randomUUID().slice(0, 8)}`, settings.commandStreamLength),
    ]),
  ) as Record<KeyedSide, WorkerStreams>;
  const call = (side: KeyedSide) => run[side](streams[side].next(0).streamId);

  const counted = {} as Record<KeyedSide, CountedRequest[]>;
  for (const side of KEYED_SIDES) {
    await call(side); // a warm stream, as the timed commands below find
    const counter = countRequests(env.client, { returnConsumedCapacity: true });
    try {
      await call(side);
    } finally {
      counter.stop();
    }
    counted[side] = counter.requests;
  }

  const perRun = settings.keyedCommandsPerRun;
  const times = await interleave(KEYED_SIDES, settings.runs * perRun, (side) =>
    timed(() => call(side)),
  );
  const runMedians = (side: KeyedSide) =>
    Array.from({ length: settings.runs }, (_, r) =>
      quantile(times[side].slice(r * perRun, (r + 1) * perRun), 0.5),
    );
  const result = (side: KeyedSide): KeyedSideResult => ({
    requestSequence: counted[side].map((r) => r.command.replace(/Command$/, '')),
    requests: counted[side].length,
    capacity: {
      reported: {
        read: total(counted[side], 'read', 'reportedCapacity'),
        write: total(counted[side], 'write', 'reportedCapacity'),
      },
      byRules: {
        read: total(counted[side], 'read', 'capacityByRules'),
        write: total(counted[side], 'write', 'capacityByRules'),
      },
    },
    ms: spread(runMedians(side)),
  });
  return {
    commandsPerRun: perRun,
    sides: { unkeyed: result('unkeyed'), keyed: result('keyed'), powertools: result('powertools') },
    powertoolsVersusKeyed: pairwiseRatio(runMedians('powertools'), runMedians('keyed')),
  };
}
