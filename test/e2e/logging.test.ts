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

  it('logs every event a consumer processed at DEBUG, and none at INFO', () => {
    // What a stream host reports after a batch: one line per processed event.
    const program =
      "const { report } = await import('./functions/eventsourcing/consumers/batch-report.ts');" +
      "const { Metrics } = await import('@aws-lambda-powertools/metrics');" +
      'const at = new Date().toISOString();' +
      "const metadata = (version) => ({ correlationId: 'request-1', causationId: 'e' + (version - 1) });" +
      "const event = (version) => ({ streamId: 'account-1', version, eventId: 'e' + version, type: 'MoneyDeposited', data: {}, metadata: metadata(version), recordedAt: at });" +
      "report('account-summaries', { streams: [{ streamId: 'account-1', applied: [event(2), event(3)] }] }, new Metrics({ namespace: 'test' }));";
    const logs = (level: string) => {
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', program],
        {
          cwd: REPOSITORY_ROOT,
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH ?? '',
            POWERTOOLS_LOG_LEVEL: level,
            POWERTOOLS_METRICS_DISABLED: 'true',
          },
        },
      );
      expect(run.status, run.stderr).toBe(0);
      return `${run.stdout}${run.stderr}`
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    };
    expect(logs('DEBUG')).toEqual([
      expect.objectContaining({
        level: 'DEBUG',
        message: 'Consumed event',
        consumer: 'account-summaries',
        streamId: 'account-1',
        version: 2,
        type: 'MoneyDeposited',
        eventId: 'e2',
        correlationId: 'request-1',
        causationId: 'e1',
      }),
      expect.objectContaining({ message: 'Consumed event', version: 3, causationId: 'e2' }),
    ]);
    expect(logs('INFO')).toEqual([]);
  });

  it('writes one JSON object per line, or an indented one for people with POWERTOOLS_DEV', () => {
    expect(logLine({}).trim().split('\n')).toHaveLength(1);
    const pretty = logLine({ POWERTOOLS_DEV: 'true' });
    expect(pretty.trim().split('\n').length).toBeGreaterThan(3);
    expect(pretty).toContain('    "message": "Stream parked"');
  });
});
