import type { Context } from 'aws-lambda';
import type { FunctionDeclaration } from '../functions/eventsourcing/declaration';
import { loadFunctionHandler } from '../functions/eventsourcing/declaration';
import { TIMER_VARIABLES } from '../functions/eventsourcing/timers';
import { functions as declaredFunctions } from '../functions/system';
import { lambdaContext, localFunctionArn } from './lambda-context';
import { startTimerRunner, type RunningTimers, type TimerRunnerOptions } from './timer-runner';

type TimerHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The role a local schedule names (nothing checks it locally; the service requires one). */
const LOCAL_TIMER_ROLE_ARN = 'arn:aws:iam::000000000000:role/local-timers';

/** The function every timer is delivered to (`trigger: 'timers'`), with its key. */
export function timerTargetOf(
  functions: Readonly<Record<string, FunctionDeclaration>> = declaredFunctions,
): { readonly key: string; readonly declaration: FunctionDeclaration } | undefined {
  const found = Object.entries(functions).find(([, fn]) => fn.trigger === 'timers');
  return found && { key: found[0], declaration: found[1] };
}

/**
 * The variables that send every function's timers to the schedules directory, aimed at the
 * declared timer target (none when there is no target: nothing may schedule then).
 */
export function timerEnvironment(
  schedulesDir: string,
  functions: Readonly<Record<string, FunctionDeclaration>> = declaredFunctions,
): Record<string, string> {
  const target = timerTargetOf(functions);
  if (!target) return {};
  return {
    [TIMER_VARIABLES.schedulesDir]: schedulesDir,
    [TIMER_VARIABLES.targetArn]: localFunctionArn(target.key),
    [TIMER_VARIABLES.roleArn]: LOCAL_TIMER_ROLE_ARN,
  };
}

/**
 * Fires the timers of a schedules directory into the declared timer target, invoked in this
 * process as EventBridge Scheduler would invoke it in AWS: with the schedule's input as the
 * event. Nothing runs when no function has `trigger: 'timers'`.
 */
export async function startTimers(
  options: Omit<TimerRunnerOptions, 'deliver'> & {
    readonly functions?: Readonly<Record<string, FunctionDeclaration>>;
  },
): Promise<RunningTimers | undefined> {
  const target = timerTargetOf(options.functions);
  if (!target) return undefined;
  const { key, declaration } = target;
  const handler = await loadFunctionHandler<TimerHandler>(declaration);
  return startTimerRunner({
    ...options,
    async deliver(input) {
      const deadline = Date.now() + declaration.timeoutSeconds * 1000;
      await handler(input, lambdaContext(key, declaration.memoryMb, deadline));
    },
  });
}
