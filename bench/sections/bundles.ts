import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUNDLE_SIZES_FILE, type BundleSize } from '../../lib/bundle-sizes';

export type BundlesResult =
  | { readonly measured: true; readonly source: string; readonly functions: readonly BundleSize[] }
  | { readonly measured: false; readonly reason: string };

/**
 * Section 6: synthesizes the CDK app into a scratch directory (the same esbuild bundling as a
 * deployment, no credentials needed) and reads the bundle sizes the app records there.
 */
export function measureBundles(projectRoot: string): BundlesResult {
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
      functions: recorded.functions,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
