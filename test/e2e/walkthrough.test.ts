import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../local/wait-for';
import { startTestApi, type TestApi } from '../support/local-api';

const README = resolve(import.meta.dirname, '..', '..', 'README.md');
const API_LINE = 'API=http://localhost:3000';
const EXPECTED = '# → ';

interface Step {
  readonly command: string;
  readonly expected?: string;
}

/** The first bash block of the README's walkthrough section, split into commands and answers. */
// eslint-disable-next-line complexity -- a small parser of the README block; each branch is one line kind
function walkthroughSteps(markdown: string): Step[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Walkthrough'));
  if (!section) throw new Error('README.md has no "## Walkthrough" section');
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('The walkthrough has no bash code block');
  const steps: { command: string; expected?: string }[] = [];
  let command: string[] = [];
  for (const line of block.split('\n')) {
    if (command.length > 0) {
      command.push(line);
      if (!line.endsWith('\\')) {
        steps.push({ command: command.join('\n') });
        command = [];
      }
    } else if (line.startsWith(EXPECTED)) {
      const last = steps.at(-1);
      if (!last || last.expected !== undefined)
        throw new Error(`An answer without a command: ${line}`);
      last.expected = line.slice(EXPECTED.length);
    } else if (line.trim() !== '' && !line.startsWith('#')) {
      if (line.endsWith('\\')) command.push(line);
      else steps.push({ command: line });
    }
  }
  return steps;
}

/** `"…"` in an expected answer stands for any value (ids, times); everything else must be equal. */
// eslint-disable-next-line complexity -- a small parser of the README block; each branch is one line kind
function matches(actual: unknown, expected: unknown): boolean {
  if (expected === '…') return actual !== undefined;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((value, i) => matches(actual[i], value))
    );
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    const keys = Object.keys(expected);
    return (
      keys.length === Object.keys(actual).length &&
      keys.every((key) =>
        matches(
          (actual as Record<string, unknown>)[key],
          (expected as Record<string, unknown>)[key],
        ),
      )
    );
  }
  return actual === expected;
}

/** One bash process, so that variables set by one step are there for the next. */
class Shell {
  private readonly bash: ChildProcessWithoutNullStreams;
  private output = '';
  private runs = 0;

  constructor() {
    this.bash = spawn('bash', ['--noprofile', '--norc'], { stdio: 'pipe' });
    this.bash.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.bash.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  async run(command: string): Promise<{ output: string; exitCode: number }> {
    const marker = `@@walkthrough-step-${++this.runs}`;
    this.output = '';
    this.bash.stdin.write(`${command}\nprintf '\\n${marker} %s\\n' "$?"\n`);
    const found = await waitFor(
      () => new RegExp(`\\n${marker} (\\d+)\\n`).exec(this.output) ?? undefined,
      { timeoutMs: 30_000, intervalMs: 10, description: `the shell to run: ${command}` },
    );
    return { output: this.output.slice(0, found.index).trim(), exitCode: Number(found[1]) };
  }

  stop(): void {
    this.bash.stdin.end('exit\n');
  }
}

let t: TestApi;
let shell: Shell;

beforeAll(async () => {
  t = await startTestApi();
  shell = new Shell();
});
afterAll(async () => {
  shell?.stop();
  await t?.stop();
});

describe('the README walkthrough', () => {
  it('runs as written and answers what it says', async () => {
    const steps = walkthroughSteps(readFileSync(README, 'utf8'));
    expect(steps.filter((step) => step.command === API_LINE)).toHaveLength(1);
    expect(steps.filter((step) => step.expected !== undefined).length).toBeGreaterThanOrEqual(15);

    for (const step of steps) {
      // The same commands, pointed at this test's stack instead of `npm start` on port 3000.
      const command = step.command === API_LINE ? `API=${t.url}` : step.command;
      // A query may run before the read models caught up; asking again changes nothing.
      const isQuery = !command.includes('-X POST') && !command.includes('=$(');
      let last = '';
      const attempt = async () => {
        const { output, exitCode } = await shell.run(command);
        last = output;
        expect(exitCode, `${command}\n${output}`).toBe(0);
        if (step.expected === undefined) {
          expect(output, command).toBe('');
          return true;
        }
        let actual: unknown;
        try {
          actual = JSON.parse(output);
        } catch {
          throw new Error(`${command}\nprinted no JSON: ${output}`);
        }
        const ok = matches(actual, JSON.parse(step.expected));
        if (!ok && !isQuery) {
          throw new Error(`${command}\nanswered ${output}\nREADME says ${step.expected}`);
        }
        return ok ? true : undefined;
      };
      await waitFor(attempt, {
        timeoutMs: 20_000,
        intervalMs: 100,
        description: `${command} to answer ${step.expected}`,
        isFatal: () => true,
      }).catch((error: Error) => {
        throw new Error(`${error.message}\nlast answer: ${last}`);
      });
    }
  });
});
