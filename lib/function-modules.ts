import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FunctionDeclaration } from '../functions/eventsourcing/declaration';

const REPOSITORY_ROOT = resolve(fileURLToPath(import.meta.url), '../..');

/**
 * A declared function's handler as Lambda would find it: the `handler` export (or the declared
 * name) of its `entry` module; `undefined` when that is not a function.
 */
export async function importFunctionHandler(
  declaration: Pick<FunctionDeclaration, 'entry' | 'handler'>,
): Promise<unknown> {
  const module = (await import(
    pathToFileURL(resolve(REPOSITORY_ROOT, declaration.entry)).href
  )) as Record<string, unknown>;
  const handler = module[declaration.handler ?? 'handler'];
  return typeof handler === 'function' ? handler : undefined;
}

/** Imports a declared function's handler exactly as Lambda would find it, or fails saying why. */
export async function loadFunctionHandler<Handler>(
  declaration: Pick<FunctionDeclaration, 'entry' | 'handler'>,
): Promise<Handler> {
  const handler = await importFunctionHandler(declaration);
  if (!handler) {
    const name = declaration.handler ?? 'handler';
    throw new Error(`${declaration.entry} does not export a function named '${name}'`);
  }
  return handler as Handler;
}
