import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildFramework, packFramework } from '../../local/package/build';
import { PACKAGE_ENTRIES } from '../../local/package/entries';
import { readGuide } from '../support/readme-guide';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
/** What the test adds to the guide's project: a check of the template the CDK app made. */
const fixture = path.join(root, 'test/fixtures/outside-project');
/** The README's guide: its code blocks are the project's files, its npm install what it installs. */
const guide = readGuide(path.join(root, 'README.md'), 'Use the framework in your own project');
const PACKAGE = '@dynamo-event-sourcing/eventsourcing';
/** The packages the guide installs from the registry (the tarball aside). */
const registryPackages = guide.installs.filter((name) => !name.endsWith('.tgz'));
/** The files the guide writes; the test runs each of its programs. */
const GUIDE_FILES = [
  'tsconfig.json',
  'src/counter.ts',
  'src/in-memory.ts',
  'src/dynamodb.ts',
  'src/handler.ts',
  'src/system.ts',
  'src/cdk-app.ts',
];

/** The repository's own versions of what the outside project installs beside the package. */
function versionsOf(names: readonly string[]): Record<string, string> {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const all = { ...manifest.dependencies, ...manifest.devDependencies };
  return Object.fromEntries(names.map((name) => [name, all[name]!]));
}

let project: string;
let tarball: string;

/** Runs a compiled module of the outside project; returns the JSON line it printed. */
async function runModule(name: string, env: Record<string, string> = {}) {
  const { stdout } = await run(process.execPath, [`build/${name}.js`], {
    cwd: project,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

beforeAll(async () => {
  project = mkdtempSync(path.join(tmpdir(), 'outside-project-'));
  buildFramework();
  tarball = packFramework(project);
  for (const [file, code] of guide.files) {
    mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    writeFileSync(path.join(project, file), code);
  }
  cpSync(fixture, project, { recursive: true });
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({
      name: 'outside-project',
      private: true,
      type: 'module',
      dependencies: {
        [PACKAGE]: `file:${tarball}`,
        ...versionsOf(registryPackages),
      },
    }),
  );
  // From the tarball and the registry (or npm's cache), never from this repository's modules.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project });
  await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { cwd: project });
}, 300_000);
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the README's guide to using the framework in a project of its own", () => {
  it('installs the tarball build:framework packs, the peers and the tools it compiles with', () => {
    expect(guide.installs.filter((name) => name.endsWith('.tgz'))).toEqual([
      `./${path.basename(tarball)}`,
    ]);
    expect(registryPackages).toEqual(
      expect.arrayContaining([
        '@aws-sdk/client-dynamodb',
        '@aws-sdk/lib-dynamodb',
        '@aws-sdk/util-dynamodb',
        'zod',
        'aws-cdk-lib',
        'constructs',
        'cdk-nag',
        'typescript',
        '@types/node',
      ]),
    );
    expect(guide.text).toContain('npm run build:framework -- --pack ');
  });

  it('writes every file of the project, and names every entry of the package', () => {
    expect([...guide.files.keys()].sort()).toEqual([...GUIDE_FILES].sort());
    for (const subpath of Object.keys(PACKAGE_ENTRIES)) {
      const named = subpath === '.' ? `\`${PACKAGE}\`` : `…${subpath.slice(1)}\``;
      const spelled = subpath === '.' ? named : `\`${PACKAGE}${subpath.slice(1)}\``;
      expect(guide.text.includes(named) || guide.text.includes(spelled), subpath).toBe(true);
    }
  });
});

describe('the framework installed from its tarball into a project of its own', () => {
  it('installs only what the package declares, outside this repository', () => {
    const installed = JSON.parse(
      readFileSync(
        path.join(project, 'node_modules/@dynamo-event-sourcing/eventsourcing/package.json'),
        'utf8',
      ),
    ) as { exports: Record<string, unknown>; private?: boolean };
    expect(installed.private).toBeUndefined();
    expect(Object.keys(installed.exports)).toContain('./cdk');
    expect(path.relative(root, project).startsWith('..')).toBe(true);
  });

  it('compiles a decider under NodeNext resolution and runs it on the in-memory store', async () => {
    expect(await runModule('in-memory')).toEqual({ inMemory: { version: 2, total: 12 } });
  });

  it('appends and reads through DynamoDB Local, hash chain and conflicts included', async () => {
    const output = await runModule('dynamodb', { DYNAMODB_ENDPOINT: inject('dynamoDbEndpoint') });
    expect(output).toEqual({
      dynamodb: {
        types: ['Incremented', 'Incremented'],
        hashed: true,
        conflict: 'ConcurrencyConflict',
      },
    });
  });

  it('synthesizes a CDK app of its own from a declaration with the framework stack', async () => {
    // Bundling (esbuild) is skipped: this checks the template, not the code.
    const context = JSON.stringify({ 'aws:cdk:bundling-stacks': [] });
    expect(await runModule('cdk-check', { CDK_CONTEXT_JSON: context })).toEqual({
      cdk: { tables: 1, functions: 1, routes: 1 },
    });
  });
});
