import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyProofCommand } from '../../local/verify-proof-command';
import { proofFixture, type ProofFixture } from '../support/proof-fixture';

const root = path.resolve(import.meta.dirname, '../..');

/** The import specifiers a module needs at run time: type-only imports and exports left out. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && !isTypeOnly(node.importClause)) {
      specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      specifiers.push((node.arguments[0] as ts.StringLiteral).text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** An import clause that brings in types only (`import type`, or only `type` specifiers). */
function isTypeOnly(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return (
    clause.name === undefined &&
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}

/** Every module reachable from `entry` at run time, and the packages they import. */
function moduleGraph(entry: string) {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (modules.has(file)) continue;
    modules.add(file);
    for (const specifier of runtimeImports(file)) {
      if (!specifier.startsWith('.')) packages.add(specifier);
      else pending.push(resolveLocal(path.resolve(path.dirname(file), specifier)));
    }
  }
  return { modules: [...modules].map((file) => path.relative(root, file)).sort(), packages };
}

function resolveLocal(base: string): string {
  // The framework names its modules by their compiled `.js` files.
  const source = base.replace(/\.js$/, '');
  const file = [`${source}.ts`, path.join(source, 'index.ts'), base].find((f) => existsSync(f));
  if (!file) throw new Error(`Cannot resolve ${base}`);
  return file;
}

describe('npm run verify-proof', () => {
  let fixture: ProofFixture;
  let directory: string;
  const run = (...args: string[]) => {
    const lines = { out: [] as string[], err: [] as string[] };
    const code = verifyProofCommand(args, {
      out: (line) => lines.out.push(line),
      err: (line) => lines.err.push(line),
    });
    return { code, ...lines };
  };
  const file = (name: string, text: string) => {
    writeFileSync(path.join(directory, name), text);
    return path.join(directory, name);
  };

  beforeAll(async () => {
    fixture = await proofFixture();
    directory = mkdtempSync(path.join(tmpdir(), 'verify-proof-'));
  });

  it('loads nothing from the AWS SDK: Node, zod and the integrity modules only', () => {
    const graph = moduleGraph(path.join(root, 'local/verify-proof.ts'));
    const packages = [...graph.packages];
    expect(packages.filter((name) => !name.startsWith('node:'))).toEqual(['zod']);
    expect(graph.modules).toContain('functions/eventsourcing/integrity/proof.ts');
    expect(
      graph.modules.every(
        (m) => m.startsWith('local/verify-proof') || m.startsWith('functions/eventsourcing/'),
      ),
    ).toBe(true);
    // The walk does see the SDK where a module loads it.
    const kms = moduleGraph(path.join(root, 'functions/eventsourcing/integrity/kms-signer.ts'));
    expect([...kms.packages]).toContain('@aws-sdk/client-kms');
  });

  it('prints what it verified and exits 0', () => {
    const proof = file('proof.json', JSON.stringify(fixture.proof, null, 2));
    const key = file('public-key.pem', fixture.publicKeyPem);
    expect(run(proof, key)).toEqual({
      code: 0,
      out: [
        `Proof verified: account-Zoë-42 v3 at position 1307, checkpoint 7 (2026-12-06T23:05:00.000Z) signed by ${fixture.signer.keyId}`,
      ],
      err: [],
    });
  });

  it('says why a proof fails and exits 1', () => {
    const key = file('public-key.pem', fixture.publicKeyPem);
    const changed = { ...fixture.proof, event: { ...fixture.proof.event, version: 4 } };
    expect(run(file('changed.json', JSON.stringify(changed)), key)).toMatchObject({
      code: 1,
      err: [expect.stringMatching(/^Proof NOT verified: step 1 \(event hash\)/)],
    });
    expect(run(file('broken.json', '{"format":'), key)).toMatchObject({
      code: 1,
      err: [expect.stringMatching(/^Proof NOT verified: the proof is malformed: .* is not JSON$/)],
    });
  });

  it('exits 2 for wrong usage and files it cannot read', () => {
    const proof = file('proof.json', JSON.stringify(fixture.proof));
    const key = file('public-key.pem', fixture.publicKeyPem);
    expect(run(proof)).toMatchObject({ code: 2, err: [expect.stringMatching(/^Usage: /)] });
    expect(run(proof, key, 'extra')).toMatchObject({ code: 2 });
    expect(run(path.join(directory, 'missing.json'), key)).toMatchObject({
      code: 2,
      err: [expect.stringMatching(/^Cannot read the proof .*missing\.json: ENOENT/)],
    });
    expect(run(proof, file('not-a-key.pem', 'hello'))).toMatchObject({
      code: 2,
      err: [expect.stringMatching(/not-a-key\.pem is not a checkpoint public key/)],
    });
  });
});
