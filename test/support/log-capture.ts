import { logger } from '../../functions/eventsourcing';

export type LogLine = Record<string, unknown>;

export interface LogCapture {
  /** Every JSON line written since the capture started. */
  lines(): LogLine[];
  stop(): void;
}

/**
 * Records, instead of printing, what the shared logger writes in this process (where the local
 * stack runs its functions) at DEBUG, until stopped.
 */
export function captureLogs(): LogCapture {
  const level = logger.getLevelName();
  const written: string[] = [];
  const restore = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write.bind(stream);
    stream.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      const text = String(chunk);
      if (!text.startsWith('{')) return write(chunk, ...rest);
      written.push(text);
      return true;
    };
    return () => {
      stream.write = write;
    };
  });
  logger.setLogLevel('DEBUG');
  return {
    lines: () =>
      written
        .flatMap((text) => text.split('\n'))
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine),
    stop() {
      logger.setLogLevel(level);
      for (const undo of restore) undo();
    },
  };
}
