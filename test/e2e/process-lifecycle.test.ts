import { describe, expect, it } from 'vitest';
import { waitFor } from '../../local/wait-for';
import { commandOf, expectAllGone, npmStart, type RunningStart } from '../support/npm-start';

/** Which process of the stack gets the signal. */
type Target = 'npm' | 'node' | 'java';

const pidOf = (stack: RunningStart, pids: readonly number[], target: Target): number => {
  if (target === 'npm') return stack.npm.pid!;
  const command =
    target === 'node' ? /^\S*node .*local\/start\.ts/ : /^\S*java .*DynamoDBLocal\.jar/;
  return pids.find((pid) => command.test(commandOf(pid)))!;
};

/**
 * Each way of stopping one process of the stack, and what the stack says about it (nothing can
 * be said when its own process is killed outright).
 */
const STOPS: readonly [Target, NodeJS.Signals, RegExp | undefined][] = [
  // What docker stop, systemd or a CI timeout send.
  ['npm', 'SIGTERM', /SIGTERM received, stopping…/],
  // What kill -INT, IDE stop buttons and some process managers send: npm passes it on.
  ['npm', 'SIGINT', /SIGINT received, stopping…/],
  // npm has no chance to pass anything on: the stack sees it is gone.
  ['npm', 'SIGKILL', /The process that started the stack \(\d+\) is gone, stopping…/],
  ['node', 'SIGTERM', /SIGTERM received, stopping…/],
  // The watchdog stops DynamoDB Local.
  ['node', 'SIGKILL', undefined],
  ['java', 'SIGTERM', /DynamoDB Local exited .*, stopping…/],
];

describe('npm start', () => {
  // One stack each, started side by side: most of a start is waiting for Java and the API.
  it.concurrent.for(STOPS)(
    'stops every process of the stack and frees its ports when %s alone gets %s',
    { timeout: 180_000 },
    async ([target, signal, said], { expect, onTestFinished }) => {
      const stack = await npmStart(onTestFinished);
      const pids = stack.pids();
      expect(pids.some((pid) => commandOf(pid).includes('DynamoDBLocal.jar'))).toBe(true);
      process.kill(pidOf(stack, pids, target), signal);
      await expectAllGone(stack, pids);
      if (said) {
        const output = await stack.output();
        expect(output).toMatch(said);
        expect(output).toContain('Stopped.');
      }
    },
  );

  it('drains requests and stops in order on Ctrl-C under load, without an ERROR line', async ({
    onTestFinished,
  }) => {
    const stack = await npmStart(onTestFinished);
    const pids = stack.pids();
    let running = true;
    let answered = 0;
    const load = Array.from({ length: 4 }, async () => {
      while (running) {
        const response = await fetch(`${stack.apiUrl}/accounts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ownerId: 'ctrl-c' }),
        }).catch(() => undefined);
        if (!response) return; // the server is gone: the load ends
        expect(response.status).toBe(201);
        answered += 1;
      }
    });
    await waitFor(() => (answered >= 20 ? true : undefined), {
      timeoutMs: 60_000,
      description: 'requests under load',
    });
    // Ctrl-C at a terminal signals the foreground process group: npm and the stack; npm passes
    // its SIGINT on too, and the stack takes the two for one.
    process.kill(-stack.npm.pid!, 'SIGINT');
    await expectAllGone(stack, pids);
    running = false;
    await Promise.all(load);
    const output = await stack.output();
    expect(output.match(/SIGINT received, stopping…/g)).toHaveLength(1);
    expect(output).not.toContain('while stopping');
    expect(output).toContain('Stopped.');
    expect(output.split('\n').filter((line) => /"level":"ERROR"|Error:/.test(line))).toEqual([]);
  }, 180_000);
});
