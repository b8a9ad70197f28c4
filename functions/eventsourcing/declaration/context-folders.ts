import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyContextModule } from './context.js';
import { InvalidDeclarationError } from './errors.js';

/** The file of a context folder that declares its module. */
const MODULE_FILES = ['module.ts', 'module.js'];

type Exported = readonly [name: string, value: unknown];

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null;

const isContextModule = (value: unknown): value is AnyContextModule =>
  isRecord(value) &&
  Array.isArray(value.projections) &&
  isRecord(value.reactions) &&
  isRecord(value.functions) &&
  'events' in value &&
  'integration' in value;

const isProjection = (value: unknown): value is { readonly name: string } =>
  isRecord(value) &&
  typeof value.name === 'string' &&
  typeof value.readModel === 'string' &&
  typeof value.apply === 'function';

/** A reaction as a module declares it: its grants and the factory of its code. */
const isReactionDeclaration = (value: unknown): boolean =>
  isRecord(value) &&
  (value.kind === 'reaction' || value.kind === 'batch') &&
  typeof value.create === 'function';

/** A reaction's code itself, named as its host would run it. */
const isReactionCode = (value: unknown): value is { readonly name: string } =>
  isRecord(value) &&
  typeof value.name === 'string' &&
  (typeof value.react === 'function' || typeof value.consume === 'function');

const isSourceFile = (file: string) =>
  /\.(ts|js)$/.test(file) && !/\.d\.ts$/.test(file) && !/\.test\.(ts|js)$/.test(file);

/** Every source file under `folder`, tests and declaration files left out. */
function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && isSourceFile(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

async function exportsOf(file: string): Promise<Exported[]> {
  return Object.entries((await import(pathToFileURL(file).href)) as Record<string, unknown>);
}

/** Why an exported value is a consumer that `module` (named `moduleName`) does not list. */
function unlisted(
  [name, value]: Exported,
  module: AnyContextModule,
  moduleName: string,
): string | undefined {
  if (isProjection(value)) {
    return (module.projections as readonly unknown[]).includes(value)
      ? undefined
      : `projection ${value.name}, which ${moduleName} does not list in its projections`;
  }
  if (isReactionDeclaration(value)) {
    return (Object.values(module.reactions) as unknown[]).includes(value)
      ? undefined
      : `reaction ${name}, which ${moduleName} does not declare in its reactions`;
  }
  if (isReactionCode(value) && !Object.hasOwn(module.reactions, value.name)) {
    return `reaction ${value.name}, which ${moduleName} does not declare in its reactions`;
  }
  return undefined;
}

/** What the files of one context's folder export that its module does not list. */
async function unlistedInFolder(
  folder: string,
  [moduleName, module]: readonly [string, AnyContextModule],
  projectRoot: string,
): Promise<string[]> {
  const problems: string[] = [];
  for (const file of sourceFiles(folder)) {
    for (const exported of await exportsOf(file)) {
      const reason = unlisted(exported, module, moduleName);
      if (reason) {
        problems.push(`${relative(projectRoot, file)} exports ${reason}: no host would run it`);
      }
    }
  }
  return problems;
}

/** The module file of a context folder, if it is one. */
const moduleFileOf = (folder: string) =>
  MODULE_FILES.map((name) => join(folder, name)).find((path) => existsSync(path));

/** The context modules a module file declares, by export name. */
async function modulesIn(file: string): Promise<[string, AnyContextModule][]> {
  return (await exportsOf(file)).filter((exported): exported is [string, AnyContextModule] =>
    isContextModule(exported[1]),
  );
}

/** The problems of one folder: a context module the system does not list, or what it leaves out. */
async function folderProblems(
  folder: string,
  contexts: readonly AnyContextModule[],
  projectRoot: string,
): Promise<string[]> {
  const file = moduleFileOf(folder);
  if (!file) return [];
  const problems: string[] = [];
  for (const [name, module] of await modulesIn(file)) {
    if (contexts.includes(module)) {
      problems.push(...(await unlistedInFolder(folder, [name, module], projectRoot)));
    } else {
      problems.push(
        `${relative(projectRoot, file)} declares ${name}, which is not among the system's contexts`,
      );
    }
  }
  return problems;
}

/**
 * The problems of the context folders under `directory` (each a folder with a `module.ts`): a
 * context module the system does not list, and a projection or reaction that one of a context's
 * files exports (a projection, a reaction declaration or a reaction's code) but its module does
 * not list, which no host would ever run. It imports every file of each context.
 */
export async function contextFolderProblems(
  contexts: readonly AnyContextModule[],
  directory: string,
  projectRoot = process.cwd(),
): Promise<string[]> {
  const root = resolve(projectRoot, directory);
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, entry.name))
    .sort();
  const problems = await Promise.all(
    folders.map((folder) => folderProblems(folder, contexts, projectRoot)),
  );
  return problems.flat();
}

/**
 * Refuses the context folders under `directory` (`InvalidDeclarationError`, naming each file and
 * what it exports) when `contextFolderProblems` finds any: synthesis stops before anything is
 * built.
 */
export async function checkContextFolders(
  contexts: readonly AnyContextModule[],
  directory: string,
  projectRoot = process.cwd(),
): Promise<void> {
  const problems = await contextFolderProblems(contexts, directory, projectRoot);
  if (problems.length > 0) throw new InvalidDeclarationError(problems);
}
