import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableNameEnvVar } from '../../functions/eventsourcing/declaration';

/** A sample context, laid out as in the repository: its folder and its unit test. */
const SAMPLE = resolve('test/fixtures/added-context');
const CONTEXTS_LINE =
  'export const contexts = [accountsModule, ordersModule, transfersModule, inventoryModule] as const;';

interface Run {
  readonly code: number;
  readonly output: string;
}

let copy: string;
let typecheck: Promise<Run>;
let unitTest: Promise<Run>;
let synth: Promise<Run>;
let openApi: Promise<Run>;

/** The repository's files as git sees them (tracked, or new and not ignored), into `target`. */
function copyRepository(target: string): void {
  const files = execFileSync('git', [
    'ls-files',
    '-z',
    '--cached',
    '--others',
    '--exclude-standard',
  ])
    .toString('utf8')
    .split('\0')
    .filter((file) => file !== '' && !file.startsWith('test/fixtures/added-context/'));
  for (const file of files) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(file, join(target, file));
  }
  symlinkSync(resolve('node_modules'), join(target, 'node_modules'), 'dir');
}

/** Adds the sample context: its folder, its unit test, and its one line in `system.ts`. */
function addSampleContext(target: string): void {
  cpSync(SAMPLE, target, { recursive: true });
  const system = join(target, 'functions/system.ts');
  const source = readFileSync(system, 'utf8');
  expect(source.split(CONTEXTS_LINE)).toHaveLength(2);
  writeFileSync(
    system,
    `import { loyaltyModule } from './loyalty/module';\n${source.replace(
      CONTEXTS_LINE,
      CONTEXTS_LINE.replace('inventoryModule]', 'inventoryModule, loyaltyModule]'),
    )}`,
  );
}

/** This process's environment without what makes a process a worker of this test run. */
const ownEnvironment = () => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST'))),
  FORCE_COLOR: '0',
  NO_COLOR: '1',
});

/** Runs a command in the copy; resolves with its exit code and everything it printed. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      { cwd: copy, env: { ...ownEnvironment(), ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

const bin = (path: string) => join(copy, 'node_modules', path);
const json = <Shape>(file: string) => JSON.parse(readFileSync(join(copy, file), 'utf8')) as Shape;

interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

const resourcesOf = (template: Template, type: string) =>
  Object.values(template.Resources)
    .filter((resource) => resource.Type === type)
    .map((resource) => resource.Properties ?? {});

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'added-context-'));
  copyRepository(copy);
  addSampleContext(copy);
  const context = json<{ context: Record<string, unknown> }>('cdk.json').context;
  // The checks that prove the context fits run side by side: each is a process of its own.
  typecheck = run(process.execPath, [bin('typescript/bin/tsc'), '--noEmit']);
  unitTest = run(process.execPath, [bin('vitest/vitest.mjs'), 'run', 'test/unit/loyalty.test.ts']);
  synth = run(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    // As `cdk synth` runs the app, without bundling any function.
    CDK_CONTEXT_JSON: JSON.stringify({ ...context, 'aws:cdk:bundling-stacks': [] }),
    CDK_OUTDIR: join(copy, 'cdk.out'),
  });
  openApi = run('npm', ['run', 'openapi']);
});
afterAll(async () => {
  await Promise.all([typecheck, unitTest, synth, openApi]);
  rmSync(copy, { recursive: true, force: true });
});

describe('a context added as its folder and one line of system.ts', { timeout: 240_000 }, () => {
  it('typechecks with the rest of the system', async () => {
    const { code, output } = await typecheck;
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it("passes its own unit test, reacting to another context's events", async () => {
    const { code, output } = await unitTest;
    expect(code, output).toBe(0);
    expect(output).toMatch(/Tests\s+4 passed/);
  });

  it('is synthesized: its table, routes, projection and reaction in the stack', async () => {
    const { code, output } = await synth;
    expect(code, output).toBe(0);
    const template = json<Template>('cdk.out/EventSourcing-dev.template.json');
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map((route) => route.RouteKey);
    expect(routes).toEqual(
      expect.arrayContaining(['POST /loyalty/{accountId}/redemptions', 'GET /loyalty/{accountId}']),
    );
    const variables = resourcesOf(template, 'AWS::Lambda::Function').map(
      (fn) =>
        (fn.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
    );
    // The projections host keeps the new read model; the query function reads it.
    expect(
      variables
        .filter((env) => tableNameEnvVar('loyaltyBalances') in env)
        .map((env) => env.POWERTOOLS_SERVICE_NAME),
    ).toEqual(expect.arrayContaining(['projections', 'loyaltyQueries']));
    const consumers = resourcesOf(template, 'AWS::CloudWatch::Alarm').flatMap((alarm) =>
      ((alarm.Dimensions ?? []) as { Name: string; Value: unknown }[])
        .filter((dimension) => dimension.Name === 'consumer')
        .map((dimension) => dimension.Value),
    );
    expect(consumers).toEqual(expect.arrayContaining(['loyalty-balances', 'loyalty-points']));
  });

  it('appears in openapi.json once npm run openapi has regenerated it', async () => {
    const committed = readFileSync('openapi.json', 'utf8');
    expect(committed).not.toContain('/loyalty/{accountId}');
    const { code, output } = await openApi;
    expect(code, output).toBe(0);
    const { paths } = json<{ paths: Record<string, Record<string, unknown>> }>('openapi.json');
    expect(Object.keys(paths['/loyalty/{accountId}/redemptions'] ?? {})).toEqual(['post']);
    expect(Object.keys(paths['/loyalty/{accountId}'] ?? {})).toEqual(['get']);
  });
});
