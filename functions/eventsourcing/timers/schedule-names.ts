import { createHash } from 'node:crypto';

/**
 * A schedule name for `parts` (a process manager, its instance, the timer's name): always the
 * same for the same parts, and valid for EventBridge Scheduler (`timer-` and 48 hex digits of
 * their SHA-256), whatever characters and lengths the parts have.
 */
export function scheduleName(...parts: string[]): string {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return `timer-${digest.slice(0, 48)}`;
}
