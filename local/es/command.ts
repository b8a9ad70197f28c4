import type { ParseArgsConfig } from 'node:util';
import type { EsContext, EsIo } from './context';

export interface CommandInput {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
}

/** One operator command: `npm run es -- <name> …`. */
export interface EsCommand {
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** What `--help` prints: the synopsis, then what it does and its options. */
  readonly usage: string;
  readonly options?: ParseArgsConfig['options'];
  /** Returns the process exit code. */
  run(input: CommandInput, context: EsContext): Promise<number>;
}

/** A mistake in a command's arguments: printed with the command's usage, exit code 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const formatNumber = (value: number) => Math.round(value).toLocaleString('en-US');

/** Prints `value` as one JSON document with `--json`, as the lines of `format` otherwise. */
export function emit<T>(io: EsIo, value: T, format: (value: T) => readonly string[]): void {
  if (io.json) {
    io.print(JSON.stringify(value, null, 2));
    return;
  }
  for (const line of format(value)) io.print(line);
}

/** A whole number option within bounds, or its default when absent. */
export function integerOption(
  input: CommandInput,
  name: string,
  bounds: { readonly min: number; readonly max: number; readonly fallback?: number },
): number | undefined {
  const raw = input.values[name];
  if (raw === undefined) return bounds.fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || value < bounds.min || value > bounds.max) {
    throw new UsageError(`--${name} must be a whole number from ${bounds.min} to ${bounds.max}`);
  }
  return value;
}

/** A comma-separated list option (`--types A,B`), or undefined when absent or empty. */
export function listOption(input: CommandInput, name: string): string[] | undefined {
  const raw = input.values[name];
  const items = typeof raw === 'string' ? raw.split(',').filter((item) => item !== '') : [];
  return items.length > 0 ? items : undefined;
}

/** The one positional argument a command needs. */
export function requiredPositional(input: CommandInput, what: string): string {
  const value = input.positionals[0];
  if (!value) throw new UsageError(`It needs ${what}.`);
  return value;
}
