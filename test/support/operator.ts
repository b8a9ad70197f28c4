import { EventStore } from '../../functions/eventsourcing';
import { findCorruptEvents } from '../../functions/eventsourcing/operator';
import type { ConsumerRuntime } from '../../functions/eventsourcing/hosts';
import type { GlobalLogReader } from '../../functions/eventsourcing/global-log';
import { systemContext, type EsContext, type EsIo } from '../../local/es/context';
import { runEs } from '../../local/es/run';
import type { TestTables } from './dynamodb';
import { balanceEvents } from './test-events';

export interface OperatorRun {
  readonly code: number;
  readonly lines: string[];
  /** Every printed line, joined by newlines. */
  readonly output: string;
  readonly progress: string[];
}

export interface OperatorRunOptions {
  readonly signal?: AbortSignal;
  /** Called with each line as it is printed (for commands that run until stopped). */
  readonly onLine?: (line: string) => void;
}

/** Runs `npm run es -- <args>` in this process on the context `build` makes. */
export async function runOperator(
  args: readonly string[],
  build: (io: EsIo) => EsContext,
  options: OperatorRunOptions = {},
): Promise<OperatorRun> {
  const lines: string[] = [];
  const progress: string[] = [];
  const io = {
    print: (line: string) => {
      lines.push(line);
      options.onLine?.(line);
    },
    progress: (line: string) => progress.push(line),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const code = await runEs(args, io, (esIo) => Promise.resolve(build(esIo)));
  return { code, lines, output: lines.join('\n'), progress };
}

/**
 * The operator CLI's context on test tables: the system's context, with the test catalogue's
 * events, the given log reader and consumers, and no decider folds.
 */
export function testEsContext(
  tables: TestTables,
  io: EsIo,
  options: { readonly log: GlobalLogReader; readonly consumers?: Map<string, ConsumerRuntime> },
): EsContext {
  const { client, names } = tables;
  return {
    ...systemContext(client, names, io),
    log: options.log,
    rawLog: options.log,
    store: new EventStore({ client, tableName: names.events, catalogue: balanceEvents }),
    consumers: () => Promise.resolve(options.consumers ?? new Map()),
    corruptEvents: () => findCorruptEvents(client, names.events, balanceEvents),
    foldOf: () => undefined,
  };
}
