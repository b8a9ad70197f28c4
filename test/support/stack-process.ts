import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../local/ports';
import { waitFor } from '../../local/wait-for';

/** The local stack (`local/start.ts`) running as a process group of its own. */
export interface StackProcess {
  readonly url: string;
  readonly dynamoDbEndpoint: string;
  /** Kills every process of the stack at once with SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Pids of the processes whose process group is `group`, from /proc. */
function processesInGroup(group: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state ppid pgrp …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === group) pids.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return pids;
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/**
 * Starts `node --import tsx local/start.ts` on `dataDir` with free ports, detached into its own
 * process group (DynamoDB Local's Java process, a child, joins that group), and waits until the
 * API answers. `kill()` SIGKILLs the group and each of its processes by pid, and waits until none
 * is left, so nothing outlives a test even when it fails.
 */
export async function startStackProcess(dataDir: string): Promise<StackProcess> {
  const [port, dynamoDbPort, s3Port] = [await freePort(), await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'local/start.ts',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      '--dynamodb-port',
      String(dynamoDbPort),
      '--s3-port',
      String(s3Port),
    ],
    { cwd: root, detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const group = child.pid!;
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4000);
  });
  const kill = async () => {
    killAll([-group, ...processesInGroup(group)]);
    await waitFor(() => (processesInGroup(group).length === 0 ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 50,
      description: `every process of group ${group} to end`,
    });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) {
          throw Object.assign(new Error(`the stack exited: ${errors}`), { fatal: true });
        }
        return (await fetch(`${url}/health`)).ok ? true : undefined;
      },
      {
        timeoutMs: 90_000,
        intervalMs: 100,
        description: 'the local stack to answer',
        isFatal: (error) => (error as { fatal?: boolean }).fatal === true,
      },
    );
  } catch (error) {
    await kill();
    throw error;
  }
  return { url, dynamoDbEndpoint: `http://127.0.0.1:${dynamoDbPort}`, kill };
}
