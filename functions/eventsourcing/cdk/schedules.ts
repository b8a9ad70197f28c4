import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import type { SystemFunction } from './functions.js';

/** An EventBridge rule invoking a scheduled function every `minutes` minutes. */
export function scheduleFunction(scope: Construct, fn: SystemFunction, minutes: number): Rule {
  return new Rule(scope, `${fn.key}Schedule`, {
    description: `Runs ${fn.key} every ${minutes} minute(s)`,
    schedule: Schedule.rate(Duration.minutes(minutes)),
    targets: [new LambdaFunction(fn.function, { retryAttempts: 2 })],
  });
}
