import path from 'node:path';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type {
  FunctionDeclaration,
  SystemDeclaration,
} from '../../functions/eventsourcing/declaration';
import { BUNDLE_SIZES_FILE, recordBundleSizes } from '../../functions/eventsourcing/cdk';
import { systemDeclaration } from '../../lib/declaration';
import { probeDeclaration, build } from '../support/cdk-synthesis';

// ---------------------------------------------------------------------------------------------
// Real bundling: ESM with the require banner, source maps, recorded sizes
// ---------------------------------------------------------------------------------------------

/** A function declaration without its signing keys: a bundle of it alone. */
function unsigned(fn: FunctionDeclaration): FunctionDeclaration {
  const rest = { ...fn };
  delete rest.signingKeys;
  return rest;
}

describe('bundling', () => {
  it('bundles each function locally as ESM with source maps and records its size', () => {
    const declaration: SystemDeclaration = {
      ...probeDeclaration,
      signingKeys: {},
      functions: { probeQuery: unsigned(probeDeclaration.functions.probeQuery!) },
      routes: [{ method: 'GET', path: '/probes/{id}', function: 'probeQuery' }],
      streamHosts: {},
    };
    const { app, stack } = build(declaration, { bundle: true });
    const printed: string[] = [];
    const sizes = recordBundleSizes(stack, stack.functions.values(), app.outdir, (line) =>
      printed.push(line),
    );
    const assetDir = readdirSync(app.outdir)
      .map((entry) => path.join(app.outdir, entry))
      .find((entry) => entry.includes('asset.') && existsSync(path.join(entry, 'index.mjs')))!;
    const code = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    expect(
      code.startsWith("import { createRequire as topLevelCreateRequire } from 'node:module';"),
    ).toBe(true);
    expect(code).toContain('//# sourceMappingURL=index.mjs.map');
    expect(existsSync(path.join(assetDir, 'index.mjs.map'))).toBe(true);

    expect(sizes).toEqual([
      {
        function: 'probeQuery',
        asset: path.basename(assetDir),
        codeBytes: statSync(path.join(assetDir, 'index.mjs')).size,
        sourceMapBytes: statSync(path.join(assetDir, 'index.mjs.map')).size,
        compressedBytes: expect.any(Number) as number,
      },
    ]);
    expect(sizes![0]!.compressedBytes).toBeLessThan(
      sizes![0]!.codeBytes + sizes![0]!.sourceMapBytes,
    );
    expect(JSON.parse(readFileSync(path.join(app.outdir, BUNDLE_SIZES_FILE), 'utf8'))).toEqual({
      stack: 'EventSourcing-dev',
      functions: sizes,
    });
    expect(printed).toEqual([expect.stringMatching(/^bundle probeQuery: [\d.]+ KiB code/)]);
  });

  it('bundles the AWS SDK with the environment as its only credential source', () => {
    const declaration: SystemDeclaration = {
      ...probeDeclaration,
      signingKeys: {},
      functions: {
        probeQuery: {
          ...unsigned(probeDeclaration.functions.probeQuery!),
          entry: 'functions/transfers/queries.ts',
        },
      },
      routes: [{ method: 'GET', path: '/probes/{id}', function: 'probeQuery' }],
      streamHosts: {},
    };
    const { app } = build(declaration, { bundle: true });
    const assetDir = readdirSync(app.outdir)
      .map((entry) => path.join(app.outdir, entry))
      .find((entry) => entry.includes('asset.') && existsSync(path.join(entry, 'index.mjs')))!;
    const code = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    expect(code).toContain('DynamoDB');
    expect(code).toContain('AWS_SESSION_TOKEN');
    // The rest of the SDK's default chain: SSO, web identity, credential processes, containers.
    for (const unused of [
      'sso-oidc',
      'AssumeRoleWithWebIdentity',
      'credential_process',
      'AWS_CONTAINER_CREDENTIALS',
    ]) {
      expect(code).not.toContain(unused);
    }
  });

  it('bundles the health check without the AWS SDK', () => {
    const declaration: SystemDeclaration = {
      tables: probeDeclaration.tables,
      buckets: {},
      signingKeys: {},
      functions: { health: systemDeclaration.functions.health! },
      routes: [{ method: 'GET', path: '/health', function: 'health' }],
      streamHosts: {},
    };
    const { app, stack } = build(declaration, { bundle: true });
    const sizes = recordBundleSizes(stack, stack.functions.values(), app.outdir, () => {});
    const assetDir = readdirSync(app.outdir)
      .map((entry) => path.join(app.outdir, entry))
      .find((entry) => entry.includes('asset.') && existsSync(path.join(entry, 'index.mjs.map')))!;
    const { sources } = JSON.parse(readFileSync(path.join(assetDir, 'index.mjs.map'), 'utf8')) as {
      sources: string[];
    };
    expect(
      sources.some((source) => source.includes('functions/eventsourcing/http/health.ts')),
    ).toBe(true);
    expect(sources.filter((source) => /node_modules\/(@aws-sdk|@smithy)\//.test(source))).toEqual(
      [],
    );
    expect(sizes![0]!.codeBytes).toBeLessThan(50 * 1024);
  });

  it('records nothing when bundling is skipped', () => {
    const { app, stack } = build(probeDeclaration);
    expect(
      recordBundleSizes(stack, stack.functions.values(), app.outdir, () => {}),
    ).toBeUndefined();
    expect(existsSync(path.join(app.outdir, BUNDLE_SIZES_FILE))).toBe(false);
  });
});
