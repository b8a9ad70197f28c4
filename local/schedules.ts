import type { FunctionDeclaration } from '../functions/eventsourcing/declaration';
import { functions as declaredFunctions } from '../functions/system';
import { loadFunctionHandler } from '../functions/eventsourcing/declaration';

type ScheduledHandler = () => Promise<unknown>;

export interface RunningSchedules {
  /** Invokes a scheduled function now, as its schedule would, and returns its result. */
  run(functionKey: string): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Runs every function declared with `trigger: 'schedule'` every `scheduleMinutes`, as the
 * EventBridge rules of the CDK app do. A failing run is reported and the schedule goes on.
 */
export async function startSchedules(
  options: {
    readonly functions?: Readonly<Record<string, FunctionDeclaration>>;
    readonly onError?: (functionKey: string, error: unknown) => void;
  } = {},
): Promise<RunningSchedules> {
  const functions: Readonly<Record<string, FunctionDeclaration>> =
    options.functions ?? declaredFunctions;
  const handlers = new Map<string, ScheduledHandler>();
  for (const [key, declaration] of Object.entries(functions)) {
    if (declaration.trigger === 'schedule') {
      handlers.set(key, await loadFunctionHandler<ScheduledHandler>(declaration));
    }
  }
  const running = new Set<Promise<unknown>>();
  const run = (key: string): Promise<unknown> => {
    const handler = handlers.get(key);
    if (!handler) return Promise.reject(new Error(`${key} is not a scheduled function`));
    const invocation = handler();
    running.add(invocation);
    void invocation.finally(() => running.delete(invocation)).catch(() => undefined);
    return invocation;
  };
  const timers = [...handlers.keys()].map((key) => {
    const minutes = functions[key]!.scheduleMinutes ?? 1;
    const timer = setInterval(() => {
      run(key).catch((error: unknown) => options.onError?.(key, error));
    }, minutes * 60_000);
    timer.unref();
    return timer;
  });
  return {
    run,
    async stop() {
      timers.forEach(clearInterval);
      await Promise.allSettled([...running]);
    },
  };
}
