import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, isPortTaken } from '../../local/ports';
import { waitFor } from '../../local/wait-for';

const REPOSITORY_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** What a stop must take at most: every process gone, every port free. */
const STOP_WITHIN_MS = 10_000;

interface RunningStart {
  /** The `npm start` process (in a process group of its own). */
  readonly npm: ChildProcess;
  readonly ports: readonly number[];
  readonly apiUrl: string;
  /** Everything npm start printed so far, stdout and stderr. */
  output(): string;
}

const started: { npm: ChildProcess; pids: Set<number> }[] = [];

/** Every process below `root`, by parent links, as `ps` lists them now. */
function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  for (const line of table.trim().split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(root);
  return found;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `npm start -- --in-memory` on free ports, once its API answers. */
async function npmStart(): Promise<RunningStart & { pids: () => number[] }> {
  const [api, dynamoDb, s3, bus] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  let output = '';
  const npm = spawn('npm', ['start', '--', '--in-memory'], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      PORT: String(api),
      DYNAMODB_PORT: String(dynamoDb),
      S3_PORT: String(s3),
      EVENT_BUS_PORT: String(bus),
      CI: 'true',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const entry = { npm, pids: new Set<number>([npm.pid!]) };
  started.push(entry);
  const apiUrl = `http://127.0.0.1:${api}`;
  await waitFor(async () => ((await fetch(`${apiUrl}/health`)).ok ? true : undefined), {
    timeoutMs: 120_000,
    intervalMs: 250,
    description: `npm start to answer on ${apiUrl}`,
  });
  return {
    npm,
    ports: [api, dynamoDb, s3, bus],
    apiUrl,
    output: () => output,
    /** The stack's processes now: npm and everything below it. */
    pids: () => {
      const pids = [npm.pid!, ...descendantsOf(npm.pid!)];
      pids.forEach((pid) => entry.pids.add(pid));
      return pids;
    },
  };
}

/** Waits until none of `pids` runs and none of `ports` is taken. */
async function expectAllGone(pids: readonly number[], ports: readonly number[]) {
  await waitFor(
    async () => {
      if (pids.some(isAlive)) return undefined;
      for (const port of ports) if (await isPortTaken(port)) return undefined;
      return true;
    },
    {
      timeoutMs: STOP_WITHIN_MS,
      intervalMs: 100,
      description: `processes ${pids.join(', ')} to end and ports ${ports.join(', ')} to be free`,
    },
  );
}

/** Processes of `pids` whose command line matches. */
const commandOf = (pid: number) =>
  execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();

// Whatever a test leaves running is killed, so no DynamoDB Local outlives the run.
afterEach(() => {
  for (const { pids } of started.splice(0)) {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

describe('npm start', () => {
  it('stops every process of the stack and frees its ports when npm alone gets SIGTERM', async () => {
    const stack = await npmStart();
    const pids = stack.pids();
    expect(pids.some((pid) => commandOf(pid).includes('DynamoDBLocal.jar'))).toBe(true);
    process.kill(stack.npm.pid!, 'SIGTERM');
    await expectAllGone(pids, stack.ports);
    expect(stack.output()).toContain('Stopped.');
  }, 180_000);

  it('leaves no DynamoDB Local behind when the stack process is killed outright', async () => {
    const stack = await npmStart();
    const pids = stack.pids();
    const node = pids.find(
      (pid) => commandOf(pid).includes('local/start.ts') && !commandOf(pid).startsWith('sh'),
    )!;
    process.kill(node, 'SIGKILL');
    await expectAllGone(pids, stack.ports);
  }, 180_000);

  it('stops everything when DynamoDB Local is stopped under it', async () => {
    const stack = await npmStart();
    const pids = stack.pids();
    const java = pids.find((pid) => commandOf(pid).includes('DynamoDBLocal.jar'))!;
    process.kill(java, 'SIGTERM');
    await expectAllGone(pids, stack.ports);
    expect(stack.output()).toMatch(/DynamoDB Local exited .*, stopping…/);
  }, 180_000);

  it('drains requests and stops in order on Ctrl-C under load, without an ERROR line', async () => {
    const stack = await npmStart();
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
    // Ctrl-C at a terminal signals the foreground process group: npm, its shell and the stack.
    process.kill(-stack.npm.pid!, 'SIGINT');
    await expectAllGone(pids, stack.ports);
    running = false;
    await Promise.all(load);
    const output = stack.output();
    expect(output).toContain('SIGINT received, stopping…');
    expect(output).toContain('Stopped.');
    expect(output.split('\n').filter((line) => /"level":"ERROR"|Error:/.test(line))).toEqual([]);
  }, 180_000);
});
