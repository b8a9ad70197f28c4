import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FunctionDeclaration } from '../functions/eventsourcing';

const REPOSITORY_ROOT = resolve(fileURLToPath(import.meta.url), '../..');

/**
 * Imports a declared function's handler exactly as Lambda would find it: the `handler` export
 * (or the declared name) of its `entry` module.
 */
export async function loadFunctionHandler<Handler>(
  declaration: Pick<FunctionDeclaration, 'entry' | 'handler'>,
): Promise<Handler> {
  const module = (await import(
    pathToFileURL(resolve(REPOSITORY_ROOT, declaration.entry)).href
  )) as Record<string, unknown>;
  const name = declaration.handler ?? 'handler';
  const handler = module[name];
  if (typeof handler !== 'function') {
    throw new Error(`${declaration.entry} does not export a function named '${name}'`);
  }
  return handler as Handler;
}
