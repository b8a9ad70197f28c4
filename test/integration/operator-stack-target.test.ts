import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../functions/system';
import { stackTarget } from '../../local/es/stack-target';
import { tableOutputId } from '../../functions/eventsourcing/declaration';
import { localTarget } from '../../local/es/target';

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const tableKeys = Object.keys(tables);

/** A stand-in for the CloudFormation query API: DescribeStacks of one stack, with outputs. */
let server: Server;
let endpoint: string;
const requests: URLSearchParams[] = [];
let outputs: Record<string, string> = {};

function describeStacks(stackName: string): { status: number; body: string } {
  if (stackName !== 'EventSourcing-test') {
    return {
      status: 400,
      body: `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${stackName} does not exist</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
    };
  }
  const members = Object.entries(outputs)
    .map(
      ([key, value]) =>
        `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`,
    )
    .join('');
  return {
    status: 200,
    body: `<DescribeStacksResponse xmlns="${NS}"><DescribeStacksResult><Stacks><member><StackName>${stackName}</StackName><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></DescribeStacksResponse>`,
  };
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push(form);
      const answer = describeStacks(form.get('StackName') ?? '');
      response.writeHead(answer.status, { 'content-type': 'text/xml' });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const client = () =>
  new CloudFormationClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'operator', secretAccessKey: 'secret' },
  });

describe('--stack NAME', () => {
  it("reads every table's name from the stack's outputs", async () => {
    outputs = Object.fromEntries(tableKeys.map((key) => [tableOutputId(key), `phys-${key}`]));
    outputs.ApiUrl = 'https://example.execute-api.eu-west-1.amazonaws.com/';
    const target = await stackTarget('EventSourcing-test', client());
    expect(target.endpoint).toBeUndefined();
    expect(target.tables.events).toBe('phys-events');
    expect(target.tables.parkedStreams).toBe('phys-parkedStreams');
    expect(Object.keys(target.tables).sort()).toEqual([...tableKeys].sort());
    expect(requests.at(-1)?.get('Action')).toBe('DescribeStacks');
  });

  it('says which outputs a stack lacks, and when the stack does not exist', async () => {
    outputs = { EventsTableName: 'phys-events' };
    await expect(stackTarget('EventSourcing-test', client())).rejects.toThrow(
      /Stack EventSourcing-test has no output SnapshotsTableName, .*ParkedStreamsTableName/,
    );
    await expect(stackTarget('Nope', client())).rejects.toThrow(
      /Stack Nope does not exist in region .*: check --stack/,
    );
  });
});

describe('the local target', () => {
  it('is the local stack on DYNAMODB_PORT, or the tables TABLE_* names', () => {
    expect(localTarget({ DYNAMODB_PORT: '8123' })).toMatchObject({
      endpoint: 'http://127.0.0.1:8123',
      tables: { events: 'local-events', globalLog: 'local-globalLog' },
    });
    expect(
      localTarget({ TABLE_EVENTS: 'my-events', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }),
    ).toMatchObject({ endpoint: 'http://127.0.0.1:9', tables: { events: 'my-events' } });
  });
});
