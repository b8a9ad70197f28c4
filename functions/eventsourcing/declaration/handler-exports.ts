import { InvalidDeclarationError } from './errors.js';
import { routeKeysOf, type FunctionDeclaration } from './functions.js';
import type { SystemDeclaration } from './system.js';
import { importFunctionHandler } from './function-modules.js';

/** What a declared function's module must hold: its handler, and an HTTP handler's routes. */
async function handlerProblems(
  key: string,
  fn: FunctionDeclaration,
  projectRoot: string,
): Promise<string[]> {
  const handler = await importFunctionHandler(fn, projectRoot);
  if (!handler) {
    return [`function ${key}: ${fn.entry} exports no function named '${fn.handler ?? 'handler'}'`];
  }
  const served = (handler as { routes?: Readonly<Record<string, unknown>> }).routes;
  if (fn.trigger !== 'http' || !served) return [];
  const declared = new Set<string>(routeKeysOf(fn));
  return [
    ...routeKeysOf(fn)
      .filter((route) => !(route in served))
      .map((route) => `function ${key} declares route ${route}, which its handler does not serve`),
    ...Object.keys(served)
      .filter((route) => !declared.has(route))
      .map((route) => `function ${key} serves route ${route}, which it does not declare`),
  ];
}

/**
 * Imports every declared function's module and refuses the declaration (naming each problem)
 * when a handler export is missing or an HTTP handler's route table and the routes declared for
 * its function differ: a typo on either side fails synthesis instead of answering 404.
 */
export async function checkHandlers(
  declaration: SystemDeclaration,
  projectRoot = process.cwd(),
): Promise<void> {
  const problems = (
    await Promise.all(
      Object.entries(declaration.functions).map(([key, fn]) =>
        handlerProblems(key, fn, projectRoot),
      ),
    )
  ).flat();
  if (problems.length > 0) throw new InvalidDeclarationError(problems);
}
