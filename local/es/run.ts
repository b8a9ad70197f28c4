import { parseArgs } from 'node:util';
import type { CommandIo } from '../cli-support';
import { UsageError, type EsCommand } from './command';
import { commands } from './commands';
import type { EsContext, EsIo } from './context';
import { TargetError } from './target';

const GLOBAL_OPTIONS = `Options of every command:
  --stack NAME   work on the deployed CloudFormation stack NAME (e.g. EventSourcing-dev) with
                 your AWS credentials; the local stack (npm start) otherwise
  --json         print JSON for scripts
  --help, -h     what the command does and its options`;

export const OVERVIEW = `Usage: npm run es -- <command> [options]

${commands.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`).join('\n')}

${GLOBAL_OPTIONS}

npm run es -- <command> --help tells more about each.`;

const usageOf = (command: EsCommand) =>
  `Usage: npm run es -- ${command.usage}\n\n${GLOBAL_OPTIONS}`;

/** Builds the context of a command once its arguments are understood. */
export type ContextFactory = (io: EsIo, stack: string | undefined) => Promise<EsContext>;

type Values = Record<string, string | boolean | undefined>;

function parse(command: EsCommand, args: readonly string[]) {
  try {
    const { positionals, values } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        ...command.options,
        json: { type: 'boolean', default: false },
        stack: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    // No option is declared `multiple`: each value is a string or a boolean.
    return { positionals, values: values as Values };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function runCommand(
  command: EsCommand,
  args: readonly string[],
  io: CommandIo,
  context: ContextFactory,
): Promise<number> {
  const { positionals, values } = parse(command, args);
  if (values.help) {
    io.print(usageOf(command));
    return 0;
  }
  const stack = typeof values.stack === 'string' ? values.stack : undefined;
  const built = await context({ ...io, json: values.json === true }, stack);
  return command.run({ positionals, values }, built);
}

/** Runs `npm run es -- <args>`; returns the process exit code. */
export async function runEs(
  args: readonly string[],
  io: CommandIo,
  context: ContextFactory,
): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.print(OVERVIEW);
    return name === undefined ? 1 : 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.print(`Unknown command '${name}'.\n\n${OVERVIEW}`);
    return 1;
  }
  try {
    return await runCommand(command, rest, io, context);
  } catch (error) {
    if (error instanceof UsageError) {
      io.print(`${error.message}\n\n${usageOf(command)}`);
      return 1;
    }
    if (error instanceof TargetError) {
      io.print(error.message);
      return 1;
    }
    throw error;
  }
}
