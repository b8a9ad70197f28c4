// This process is Node 20 by design (Lambda runs 22+); the SDK's notice about it is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Where an operator command writes. */
export interface CommandIo {
  readonly print: (line: string) => void;
  /** Rewrites the current line on a terminal; prints a line otherwise. */
  readonly progress: (line: string) => void;
  /** Aborted by Ctrl-C. */
  readonly signal?: AbortSignal;
}

/** Lines on stdout; progress rewritten in place on a terminal; Ctrl-C aborts `signal`. */
export function terminalIo(): CommandIo {
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  const terminal = process.stderr.isTTY;
  return {
    print: (line) => {
      if (terminal) process.stderr.write('\r\x1b[K');
      console.log(line);
    },
    progress: (line) => {
      if (terminal) process.stderr.write(`\r\x1b[K${line}`);
      else console.error(line);
    },
    signal: interrupt.signal,
  };
}

/** Runs a command's main function and exits with its code, or 1 and the message on error. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
