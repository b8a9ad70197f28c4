import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/** A stand-in for the CloudFormation query API: DescribeStacks of the stacks it is given. */
export interface CloudFormationStandIn {
  readonly endpoint: string;
  /** Every request's form, in order. */
  readonly requests: URLSearchParams[];
  /** Declares (or replaces) a stack and its outputs. */
  setStack(stackName: string, outputs: Readonly<Record<string, string>>): void;
  stop(): Promise<void>;
}

function describeStacks(
  stackName: string,
  outputs: Readonly<Record<string, string>> | undefined,
): { status: number; body: string } {
  if (!outputs) {
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

export async function startCloudFormationStandIn(): Promise<CloudFormationStandIn> {
  const stacks = new Map<string, Readonly<Record<string, string>>>();
  const requests: URLSearchParams[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push(form);
      const stackName = form.get('StackName') ?? '';
      const answer = describeStacks(stackName, stacks.get(stackName));
      response.writeHead(answer.status, { 'content-type': 'text/xml' });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    setStack: (stackName, outputs) => stacks.set(stackName, outputs),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
