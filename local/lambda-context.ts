import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The ARN a local function goes by (account 000000000000, region `local`). */
export const localFunctionArn = (functionName: string): string =>
  `arn:aws:lambda:local:000000000000:function:${functionName}`;

/** The Lambda context of one local invocation that must end by `deadline` (epoch ms). */
export function lambdaContext(functionName: string, memoryMb: number, deadline: number): Context {
  const unsupported = () => {
    throw new Error('Callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(functionName),
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
