import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE_SIZES_FILE, type BundleSize } from '../../functions/eventsourcing/cdk';
import { spread, type Spread } from '../stats';

/** One function's bundle with the time a fresh Node.js process takes to import it. */
export interface MeasuredBundle extends BundleSize {
  /** Milliseconds from `import()` of the bundle to its evaluation, one per fresh process. */
  readonly coldImportMs: Spread;
}

export type BundlesResult =
  | {
      readonly measured: true;
      readonly source: string;
      readonly functions: readonly MeasuredBundle[];
    }
  | { readonly measured: false; readonly reason: string };

/**
 * Bundle sizes to beat, in bytes of code: the health check (which needs neither the AWS SDK nor
 * the validation library) under 50 KiB, every other function at most half of the largest bundle
 * the stack shipped before its bundles were cut down (bench run of 2026-11-23: 895,954 bytes,
 * `orderCommands`, every function between 827 and 875 KiB).
 */
export const BUNDLE_TARGETS = {
  health: 50 * 1024,
  other: Math.floor(895_954 / 2),
} as const;

export const bundleTarget = (fn: string) =>
  fn === 'health' ? BUNDLE_TARGETS.health : BUNDLE_TARGETS.other;

/** Prints how long importing the bundle named by argv[1] takes, in milliseconds. */
const IMPORT_TIMER = [
  'const started = performance.now();',
  'await import(process.argv[1]);',
  'process.stdout.write(String(performance.now() - started));',
].join(' ');

/**
 * What a Lambda cold start spends on the code before the handler runs: a fresh Node.js process
 * imports the bundle (module evaluation included), timed inside the process so that starting
 * Node.js itself is left out. The environment is cleared of the local stack's settings so the
 * bundle evaluates as it would in Lambda.
 */
function coldImport(entry: string, runs: number): Spread {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '--eval', IMPORT_TIMER, pathToFileURL(entry).href],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', NODE_OPTIONS: '' },
        timeout: 60_000,
      },
    );
    const ms = Number(child.stdout);
    if (child.status !== 0 || !Number.isFinite(ms)) {
      throw new Error(`importing ${entry} failed (exit ${child.status}): ${child.stderr}`);
    }
    times.push(ms);
  }
  return spread(times);
}

/**
 * Section 6: synthesizes the CDK app into a scratch directory (the same esbuild bundling as a
 * deployment, no credentials needed), reads the bundle sizes the app records there, and times a
 * cold import of every bundle.
 */
export function measureBundles(projectRoot: string, coldImports: number): BundlesResult {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'bench-cdk-'));
  try {
    const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
      cwd: projectRoot,
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' },
      timeout: 180_000,
    });
    const file = path.join(outdir, BUNDLE_SIZES_FILE);
    if (synth.status !== 0 || !existsSync(file)) {
      const output = `${synth.stderr ?? ''}${synth.stdout ?? ''}`.trim().split('\n').slice(-5);
      return {
        measured: false,
        reason: `cdk synth did not record bundle sizes (exit ${synth.status ?? synth.signal}): ${output.join(' / ')}`,
      };
    }
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as { functions: BundleSize[] };
    return {
      measured: true,
      source: 'cdk synth (bundle-sizes.json)',
      functions: recorded.functions.map((bundle) => ({
        ...bundle,
        coldImportMs: coldImport(path.join(outdir, bundle.asset, 'index.mjs'), coldImports),
      })),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
