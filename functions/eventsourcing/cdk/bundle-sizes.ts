import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { Stack } from 'aws-cdk-lib';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { SystemFunction } from './functions.js';

export interface BundleSize {
  readonly function: string;
  /** The bundle's directory, relative to the cloud assembly (`index.mjs` is its entry). */
  readonly asset: string;
  /** The bundled code (`.mjs` files). */
  readonly codeBytes: number;
  readonly sourceMapBytes: number;
  /** Every file deflate-compressed, about what the deployment zip holds. */
  readonly compressedBytes: number;
}

export const BUNDLE_SIZES_FILE = 'bundle-sizes.json';

function measure(fn: SystemFunction, assemblyDir: string): BundleSize {
  const asset = fn.function.node.tryFindChild('Code');
  // Every SystemFunction is a NodejsFunction with a code asset: a plain Error, for a fault of ours.
  if (!(asset instanceof Asset)) throw new Error(`Function ${fn.key} has no code asset`);
  const dir = path.resolve(assemblyDir, asset.assetPath);
  let codeBytes = 0;
  let sourceMapBytes = 0;
  let compressedBytes = 0;
  for (const file of readdirSync(dir)) {
    const content = readFileSync(path.join(dir, file));
    if (file.endsWith('.map')) sourceMapBytes += content.length;
    else codeBytes += content.length;
    compressedBytes += deflateRawSync(content).length;
  }
  return {
    function: fn.key,
    asset: asset.assetPath,
    codeBytes,
    sourceMapBytes,
    compressedBytes,
  };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/**
 * Measures each function's bundle (built while the stack was constructed), writes the sizes to
 * `bundle-sizes.json` in the cloud assembly for benchmarks to read, and prints them. Returns
 * nothing when bundling was skipped (`aws:cdk:bundling-stacks` excludes the stack).
 */
export function recordBundleSizes(
  stack: Stack,
  functions: Iterable<SystemFunction>,
  assemblyDir: string,
  print: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): BundleSize[] | undefined {
  if (!stack.bundlingRequired) return undefined;
  const sizes = [...functions].map((fn) => measure(fn, assemblyDir));
  writeFileSync(
    path.join(assemblyDir, BUNDLE_SIZES_FILE),
    `${JSON.stringify({ stack: stack.stackName, functions: sizes }, null, 2)}\n`,
  );
  for (const size of sizes) {
    print(
      `bundle ${size.function}: ${kib(size.codeBytes)} code, ${kib(size.sourceMapBytes)} source map, ${kib(size.compressedBytes)} compressed`,
    );
  }
  return sizes;
}
