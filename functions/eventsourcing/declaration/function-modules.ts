import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FunctionDeclaration } from './functions.js';
import { InvalidDeclarationError } from './errors.js';

/** Entries that name one of the framework's own modules: `eventsourcing:http/health`. */
export const FRAMEWORK_ENTRY_PREFIX = 'eventsourcing:';

/**
 * The absolute path of one of the framework's own modules (`integrity/handlers/seal`): its
 * TypeScript source in this repository, its compiled JavaScript in the installed package.
 */
export function frameworkModule(name: string): string {
  for (const extension of ['.ts', '.js']) {
    const file = fileURLToPath(new URL(`../${name}${extension}`, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new InvalidDeclarationError([`The framework has no module ${name}`]);
}

/** The file a declared entry names: a framework module, or a file under the project root. */
export function entryFile(entry: string, projectRoot = process.cwd()): string {
  return entry.startsWith(FRAMEWORK_ENTRY_PREFIX)
    ? frameworkModule(entry.slice(FRAMEWORK_ENTRY_PREFIX.length))
    : resolve(projectRoot, entry);
}

/**
 * A declared function's handler as Lambda would find it: the `handler` export (or the declared
 * name) of its `entry` module; `undefined` when that is not a function.
 */
export async function importFunctionHandler(
  declaration: Pick<FunctionDeclaration, 'entry' | 'handler'>,
  projectRoot = process.cwd(),
): Promise<unknown> {
  const module = (await import(
    pathToFileURL(entryFile(declaration.entry, projectRoot)).href
  )) as Record<string, unknown>;
  const handler = module[declaration.handler ?? 'handler'];
  return typeof handler === 'function' ? handler : undefined;
}

/** Imports a declared function's handler exactly as Lambda would find it, or fails saying why. */
export async function loadFunctionHandler<Handler>(
  declaration: Pick<FunctionDeclaration, 'entry' | 'handler'>,
  projectRoot = process.cwd(),
): Promise<Handler> {
  const handler = await importFunctionHandler(declaration, projectRoot);
  if (!handler) {
    const name = declaration.handler ?? 'handler';
    throw new InvalidDeclarationError([
      `${declaration.entry} does not export a function named '${name}'`,
    ]);
  }
  return handler as Handler;
}
