import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPOSITORY_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** What the functions' shared logger writes in a fresh process with the given environment. */
function logLine(env: Record<string, string>): string {
  const program =
    "const { logger } = await import('./functions/eventsourcing/logger.ts');" +
    "logger.warn('Stream parked', { consumer: 'account-summaries' });";
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', program],
    {
      cwd: REPOSITORY_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', POWERTOOLS_LOG_LEVEL: 'INFO', ...env },
    },
  );
  expect(run.status, run.stderr).toBe(0);
  // Warnings go to stderr, as Lambda's console does.
  return run.stderr;
}

describe('the functions’ logger', () => {
  it('names the service the environment gives (the CDK app sets it per function)', () => {
    const line = JSON.parse(logLine({ POWERTOOLS_SERVICE_NAME: 'reactions' })) as Record<
      string,
      unknown
    >;
    expect(line).toMatchObject({
      level: 'WARN',
      message: 'Stream parked',
      service: 'reactions',
      consumer: 'account-summaries',
    });
    expect(JSON.parse(logLine({}))).toMatchObject({ service: 'eventsourcing' });
  });

  it('writes one JSON object per line, or an indented one for people with POWERTOOLS_DEV', () => {
    expect(logLine({}).trim().split('\n')).toHaveLength(1);
    const pretty = logLine({ POWERTOOLS_DEV: 'true' });
    expect(pretty.trim().split('\n').length).toBeGreaterThan(3);
    expect(pretty).toContain('    "message": "Stream parked"');
  });
});
