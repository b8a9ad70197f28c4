import { createHash } from 'node:crypto';
export interface TimerScheduler {
  put(name: string, at: Date, input: Readonly<Record<string, unknown>>): Promise<void>;
  remove(name: string): Promise<void>;
}
export function scheduleName(...parts: string[]): string {
  return `t-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40)}`;
}
export function timerSchedulerFromEnv(): TimerScheduler {
  throw new Error('shim');
}
export function createTimerHandler(
  deliver: (input: Record<string, unknown>) => Promise<void>,
): (event: unknown) => Promise<void> {
  return (event) => deliver(event as Record<string, unknown>);
}
