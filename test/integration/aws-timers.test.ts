import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TIMER_VARIABLES, timerSchedulerFromEnv } from '../../functions/eventsourcing/timers';

interface Call {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: Record<string, unknown> | undefined;
}

/**
 * A stand-in for EventBridge Scheduler's REST API over real HTTP: it keeps schedule names and
 * answers as the service does (409 ConflictException, 404 ResourceNotFoundException), recording
 * every call.
 */
function schedulerStandIn() {
  const names = new Set<string>();
  const calls: Call[] = [];
  const answer = (response: ServerResponse, status: number, body: object, error?: string) => {
    response.writeHead(status, {
      'content-type': 'application/json',
      ...(error ? { 'x-amzn-errortype': error } : {}),
    });
    response.end(JSON.stringify(body));
  };
  const handle = (request: IncomingMessage, text: string, response: ServerResponse) => {
    const url = new URL(request.url!, 'http://scheduler');
    const name = decodeURIComponent(url.pathname.replace(/^\/schedules\//, ''));
    calls.push({
      method: request.method!,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    });
    const arn = { ScheduleArn: `arn:aws:scheduler:local:000000000000:schedule/timers/${name}` };
    const exists = names.has(name);
    if (request.method === 'POST' && exists) {
      return answer(response, 409, { Message: 'exists' }, 'ConflictException');
    }
    if (request.method !== 'POST' && !exists) {
      return answer(response, 404, { Message: 'missing' }, 'ResourceNotFoundException');
    }
    if (request.method === 'DELETE') names.delete(name);
    else names.add(name);
    return answer(response, 200, request.method === 'DELETE' ? {} : arn);
  };
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => handle(request, text, response));
  });
  return { server, calls, names };
}

describe('timers on EventBridge Scheduler', () => {
  const standIn = schedulerStandIn();
  const variables = {
    SCHEDULER_ENDPOINT: '',
    [TIMER_VARIABLES.group]: 'timers',
    [TIMER_VARIABLES.targetArn]: 'arn:aws:lambda:local:000000000000:function:timers',
    [TIMER_VARIABLES.roleArn]: 'arn:aws:iam::000000000000:role/timers',
    [TIMER_VARIABLES.deadLetterArn]: 'arn:aws:sqs:local:000000000000:timer-dead-letters',
  };
  const saved = Object.fromEntries(
    [...Object.keys(variables), TIMER_VARIABLES.schedulesDir].map((key) => [key, process.env[key]]),
  );

  beforeAll(async () => {
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    const { port } = standIn.server.address() as AddressInfo;
    Object.assign(process.env, { ...variables, SCHEDULER_ENDPOINT: `http://127.0.0.1:${port}` });
    delete process.env[TIMER_VARIABLES.schedulesDir];
  });
  afterEach(() => {
    standIn.calls.splice(0);
  });
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await new Promise((resolve) => standIn.server.close(resolve));
  });

  it('creates a one-time schedule, and updates it with the same fields when the name exists', async () => {
    const timers = timerSchedulerFromEnv();
    await timers.put('payment-7', new Date('2030-05-01T08:00:00Z'), { step: 1 });
    await timers.put('payment-7', new Date('2030-05-01T09:30:00Z'), { step: 2 });

    const schedule = (at: string, input: string) => ({
      GroupName: 'timers',
      ScheduleExpression: `at(${at})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: variables[TIMER_VARIABLES.targetArn],
        RoleArn: variables[TIMER_VARIABLES.roleArn],
        Input: input,
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: variables[TIMER_VARIABLES.deadLetterArn] },
      },
    });
    expect(standIn.calls).toMatchObject([
      {
        method: 'POST',
        path: '/schedules/payment-7',
        body: schedule('2030-05-01T08:00:00', '{"step":1}'),
      },
      {
        method: 'POST',
        path: '/schedules/payment-7',
        body: schedule('2030-05-01T09:30:00', '{"step":2}'),
      },
      {
        method: 'PUT',
        path: '/schedules/payment-7',
        body: schedule('2030-05-01T09:30:00', '{"step":2}'),
      },
    ]);
  });

  it('deletes a schedule of its group, and takes one already gone as done', async () => {
    const timers = timerSchedulerFromEnv();
    await timers.put('payment-8', new Date('2030-05-01T08:00:00Z'), {});
    await timers.remove('payment-8');
    await timers.remove('payment-8');
    const deletes = standIn.calls.filter((call) => call.method === 'DELETE');
    expect(deletes.map(({ path, query }) => ({ path, groupName: query.groupName }))).toEqual([
      { path: '/schedules/payment-8', groupName: 'timers' },
      { path: '/schedules/payment-8', groupName: 'timers' },
    ]);
    expect(standIn.names.has('payment-8')).toBe(false);
  });
});
