import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, isPortTaken } from '../../local/ports';
import { waitFor } from '../../local/wait-for';

const REPOSITORY_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** What a stop must take at most: every process gone, every port free. */
const STOP_WITHIN_MS = 10_000;

export interface RunningStart {
  /** The `npm start` process (in a process group of its own). */
  readonly npm: ChildProcess;
  /** The API's, DynamoDB Local's, the S3 server's and the event bus's. */
  readonly ports: readonly number[];
  readonly dynamoDbPort: number;
  readonly apiUrl: string;
  /** Everything npm start printed, stdout and stderr, once every process that can print ended. */
  output(): Promise<string>;
  /** The stack's processes now: npm and everything below it. */
  pids(): number[];
}

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

/** Whether `pid` runs: a zombie (ended, not reaped yet by whoever adopted it) does not. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** The command line of `pid`, as `ps` shows it. */
export const commandOf = (pid: number) =>
  execFileSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();

/** Pids of the running DynamoDB Local (Java) processes that listen on `port`. */
function dynamoDbLocalsOn(port: number): number[] {
  const table = execFileSync('ps', ['-eww', '-o', 'pid=,args='], { encoding: 'utf8' });
  return table
    .trim()
    .split('\n')
    .filter((line) => line.includes('DynamoDBLocal.jar') && line.includes(`-port ${port} `))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter(isRunning);
}

/** `npm start -- --in-memory` on `ports`, in a process group of its own. */
function launch(ports: readonly number[]) {
  const [api, dynamoDb, s3, bus] = ports.map(String) as [string, string, string, string];
  let output = '';
  const npm = spawn('npm', ['start', '--', '--in-memory'], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      ...{ PORT: api, DYNAMODB_PORT: dynamoDb, S3_PORT: s3, EVENT_BUS_PORT: bus },
      CI: 'true',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const closed = Promise.all(
    [npm.stdout, npm.stderr].map((stream) => new Promise((done) => stream.once('close', done))),
  ).then(() => output);
  return { npm, closed, apiUrl: `http://127.0.0.1:${api}` };
}

/**
 * Waits until the stack answers on `apiUrl`; fails at once, with what it printed, if npm ended.
 * False when it ended because a port was taken.
 */
function answers(started: ReturnType<typeof launch>): Promise<boolean> {
  const { npm, closed, apiUrl } = started;
  return waitFor(
    async () => {
      if (npm.exitCode !== null || npm.signalCode !== null) {
        throw Object.assign(new Error(`npm start ended before answering:\n${await closed}`), {
          fatal: true,
        });
      }
      return (await fetch(`${apiUrl}/health`)).ok ? true : undefined;
    },
    {
      timeoutMs: 120_000,
      intervalMs: 250,
      description: `npm start to answer on ${apiUrl}`,
      isFatal: (error) => (error as { fatal?: boolean }).fatal === true,
    },
  ).then(
    () => true,
    (error: unknown) => {
      // A port found free was taken before the stack listened on it: another try, other ports.
      if (/already in use/.test(String(error))) return false;
      throw error;
    },
  );
}

/**
 * `npm start -- --in-memory` on free ports, in a process group of its own, once its API
 * answers. `cleanUp` is handed a function that SIGKILLs every process of it seen so far.
 */
export async function npmStart(cleanUp: (kill: () => void) => void): Promise<RunningStart> {
  const seen = new Set<number>();
  const dynamoDbPorts: number[] = [];
  cleanUp(() => {
    for (const pid of [...seen, ...dynamoDbPorts.flatMap(dynamoDbLocalsOn)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  for (let attempt = 1; attempt <= 3; attempt++) {
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const started = launch(ports);
    seen.add(started.npm.pid!);
    dynamoDbPorts.push(ports[1]!);
    if (!(await answers(started))) continue;
    const { npm, closed, apiUrl } = started;
    return {
      ...{ npm, ports, dynamoDbPort: ports[1]!, apiUrl },
      output: () => closed,
      pids: () => {
        const pids = [npm.pid!, ...descendantsOf(npm.pid!)];
        pids.forEach((pid) => seen.add(pid));
        return pids;
      },
    };
  }
  throw new Error('npm start found a port taken in each of 3 tries');
}

/**
 * Waits until none of `pids` runs, none of the stack's ports is taken and no DynamoDB Local
 * listens on the stack's port any more.
 */
export async function expectAllGone(stack: RunningStart, pids: readonly number[]): Promise<void> {
  await waitFor(
    async () => {
      if (pids.some(isRunning)) return undefined;
      if (dynamoDbLocalsOn(stack.dynamoDbPort).length > 0) return undefined;
      for (const port of stack.ports) if (await isPortTaken(port)) return undefined;
      return true;
    },
    {
      timeoutMs: STOP_WITHIN_MS,
      intervalMs: 100,
      description: `processes ${pids.join(', ')} to end and ports ${stack.ports.join(', ')} to be free`,
    },
  );
}
