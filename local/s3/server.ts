import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import S3rver from '@20minutes/s3rver';
import { LOCAL_CREDENTIALS } from '../../functions/eventsourcing/local-endpoint';
import { isPortTaken } from '../ports';
import { S3Gateway } from './gateway';
import { ObjectLockedBuckets } from './object-lock';
import { Upstream } from './upstream';

export interface LocalS3Options {
  /** Port to listen on; a free one is chosen when omitted. */
  readonly port?: number;
  /** Directory keeping buckets and objects; a temporary one, removed on stop, when omitted. */
  readonly directory?: string;
}

export interface LocalS3 {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * An S3-compatible server on this machine: s3rver keeps buckets and objects in a directory,
 * behind a gateway that checks requests as S3 does (see `S3Gateway`). Clients sign with
 * `LOCAL_CREDENTIALS` and address buckets path-style, as `createS3Client` does.
 *
 * Both run in this process (s3rver is a Koa app): they end with it however it ends, even by
 * SIGKILL, which frees their ports with it, so unlike DynamoDB Local's Java process they need
 * no watchdog; and their load, a few objects a minute, does not need a process of its own.
 */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  if (options.port !== undefined && (await isPortTaken(options.port))) {
    throw new Error(
      `Port ${options.port} is already in use, so the local S3 server cannot listen on it. ` +
        'Stop whatever uses it or choose another port.',
    );
  }
  const temporary = options.directory === undefined;
  const directory = resolve(options.directory ?? mkdtempSync(join(tmpdir(), 'local-s3-')));
  mkdirSync(join(directory, 'objects'), { recursive: true });
  const storage = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(directory, 'objects'),
    vhostBuckets: false,
  });
  const { port: storagePort } = await storage.run();
  const gateway = new S3Gateway({
    upstream: new Upstream(storagePort),
    lockedBuckets: new ObjectLockedBuckets(join(directory, 'object-lock.json')),
    credentials: LOCAL_CREDENTIALS,
  });
  const server = createServer(gateway.listener);
  const stop = async () => {
    if (server.listening) await close(server);
    await storage.close();
    if (temporary) rmSync(directory, { recursive: true, force: true });
  };
  try {
    const port = await listen(server, options.port ?? 0);
    return { endpoint: `http://127.0.0.1:${port}`, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
