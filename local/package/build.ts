/**
 * `npm run build:framework [-- --pack DIR]`: builds the framework as an npm package in
 * `functions/eventsourcing/dist` (JavaScript ES modules with type declarations, its manifest and
 * README) and, with `--pack`, writes its tarball to DIR and prints the tarball's path.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PACKAGE_ENTRIES } from './entries';

const root = fileURLToPath(new URL('../..', import.meta.url));
const framework = path.join(root, 'functions/eventsourcing');
const dist = path.join(framework, 'dist');

interface SourceManifest {
  readonly name: string;
  readonly version: string;
  readonly [field: string]: unknown;
}

/** The manifest the package is published with: the source's, with its entries, as built. */
function publishedManifest(source: SourceManifest): Record<string, unknown> {
  const published: Record<string, unknown> = { ...source };
  // The repository's manifest is private and points at the sources; the package is neither.
  delete published.private;
  delete published.main;
  return {
    ...published,
    exports: {
      ...Object.fromEntries(
        Object.entries(PACKAGE_ENTRIES).map(([subpath, module]) => [
          subpath,
          { types: `./${module}.d.ts`, default: `./${module}.js` },
        ]),
      ),
      './package.json': './package.json',
    },
  };
}

/** Builds the package into `dist`; returns its directory. */
export function buildFramework(): string {
  rmSync(dist, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: framework, stdio: 'inherit' },
  );
  const source = JSON.parse(
    readFileSync(path.join(framework, 'package.json'), 'utf8'),
  ) as SourceManifest;
  writeFileSync(
    path.join(dist, 'package.json'),
    `${JSON.stringify(publishedManifest(source), null, 2)}\n`,
  );
  copyFileSync(path.join(framework, 'README.md'), path.join(dist, 'README.md'));
  return dist;
}

/** Packs the built package into `destination`; returns the tarball's path. */
export function packFramework(destination: string): string {
  const output = execFileSync('npm', ['pack', dist, '--pack-destination', destination, '--json'], {
    cwd: root,
    encoding: 'utf8',
  });
  const [packed] = JSON.parse(output) as { filename: string }[];
  return path.join(destination, packed!.filename);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { pack: { type: 'string' } } });
  const built = buildFramework();
  console.log(`Built ${path.relative(root, built)}`);
  if (values.pack) console.log(packFramework(path.resolve(values.pack)));
}
