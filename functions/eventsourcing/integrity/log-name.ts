import { ConfigurationError } from '../declaration/errors.js';

/** Names the log in every checkpoint: the stack in AWS, `local` on this machine. */
export const HISTORY_LOG_VARIABLE = 'HISTORY_LOG';

/** The name of the log checkpoints seal, as the CDK app or the local stack set it. */
export function historyLogFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const log = env[HISTORY_LOG_VARIABLE];
  if (!log) throw new ConfigurationError(`Environment variable ${HISTORY_LOG_VARIABLE} is not set`);
  return log;
}
