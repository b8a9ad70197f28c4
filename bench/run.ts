import './quiet-env';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchEnvironment, type BenchEnvironment } from './environment';
import { describeMachine } from './machine';
import { renderReport } from './report';
import type { BenchResults } from './results';
import { measureArchive } from './sections/archive';
import { measureBundles } from './sections/bundles';
import { measureContention } from './sections/contention';
import { measureGlobalLog } from './sections/global-log';
import { measureHistory } from './sections/history';
import { measureKeyedCommands } from './sections/keyed-commands';
import { measureLoads, seedLoads } from './sections/loads';
import { measurePersonalData } from './sections/personal-data';
import { measureProcesses } from './sections/processes';
import { measureProjections } from './sections/projections';
import { measureRequests } from './sections/requests';
import { measureThroughput, warmUp } from './sections/throughput';
import { benchSettings } from './settings';

/**
 * `npm run bench`: starts its own DynamoDB Local, measures every section, writes
 * bench/results.json and BENCHMARKS.md, and stops DynamoDB Local again.
 * `npm run bench -- --quick` runs short versions of every section and writes nothing.
 * `npm run bench -- --quick --only loads` (or `throughput`, `requests`, `history`, `contention`,
 * `personal-data`, `projections`, `archive`, `processes`) runs one section and prints its figures as JSON,
 * for trying out a change.
 * `npm run bench -- --only history --write` (or `contention`, `personal-data`, `projections`,
 * `archive`, `processes`) measures that section again with full settings and puts it into bench/results.json
 * and BENCHMARKS.md, every other section's figures as they were.
 * `npm run bench -- --render` writes BENCHMARKS.md again from bench/results.json, measuring
 * nothing (after a change to the report's text).
 */

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const write = process.argv.includes('--write');
const only = process.argv[process.argv.indexOf('--only') + 1];
const settings = benchSettings(quick);
const log = (message: string) =>
  process.stderr.write(`[bench ${Math.round(performance.now() / 1000)} s] ${message}\n`);

/** Starts a DynamoDB Local for `body` and stops it afterwards, also on Ctrl-C. */
async function withDynamoDbLocal<T>(body: (env: BenchEnvironment) => Promise<T>): Promise<T> {
  const env = await startBenchEnvironment();
  const stopOnSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping DynamoDB Local`);
    void env.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    return await body(env);
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    await env.stop();
  }
}

async function measure(started: number): Promise<BenchResults> {
  const machine = describeMachine();
  log(`starting DynamoDB Local (${settings.mode} settings)`);
  const { throughput, requests, loads, keyedCommands, contention, personalData } =
    await withDynamoDbLocal(async (env) => {
      log('writing the streams for the load benchmarks');
      await seedLoads(env, settings);
      log(`warming up for ${settings.globalWarmupMs / 1000} s`);
      await warmUp(env, settings);
      const throughput = [];
      for (const concurrency of settings.concurrencies) {
        log(`sections 1 and 5: appends and commands at concurrency ${concurrency}`);
        throughput.push(await measureThroughput(env, settings, concurrency));
      }
      log('section 2: requests and capacity');
      const requests = await measureRequests(env, settings);
      log('sections 3 and 5: loads');
      const loads = await measureLoads(env, settings);
      log('section 8: keyed commands, key in the transaction against the Powertools path');
      const keyedCommands = await measureKeyedCommands(env, settings);
      log('section 10: contention, writers on one stream');
      const contention = await measureContention(env, settings);
      log('section 11: personal data sealed per subject, against the same events in clear');
      const personalData = await measurePersonalData(env, settings);
      return { throughput, requests, loads, keyedCommands, contention, personalData };
    });
  // A fresh DynamoDB Local: its streams slow down as the database fills, and the sections above
  // leave hundreds of thousands of items behind, far more than a local stack holds.
  log('section 4: projections through the local stream runner (fresh DynamoDB Local)');
  const projections = await withDynamoDbLocal((env) => measureProjections(env, settings));
  log('section 7: the global log through the local stream runner (fresh DynamoDB Local)');
  const globalLog = await withDynamoDbLocal((env) => measureGlobalLog(env, settings));
  log('section 9: verifiable history (fresh DynamoDB Local, local S3 server)');
  const history = await withDynamoDbLocal((env) => measureHistory(env, settings, log));
  log('section 12: the archive (fresh DynamoDB Local, local S3 server)');
  const archive = await withDynamoDbLocal((env) => measureArchive(env, settings, log));
  log('section 13: process managers through the local stack (fresh DynamoDB Local)');
  const processes = await withDynamoDbLocal((env) => measureProcesses(env, settings, log));
  log('section 6: bundle sizes (cdk synth) and cold imports');
  const bundles = measureBundles(projectRoot, settings.coldImports);
  return {
    generatedAt: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    settings,
    machine,
    throughput,
    requests,
    loads,
    keyedCommands,
    projections,
    bundles,
    globalLog,
    history,
    contention,
    personalData,
    archive,
    processes,
  };
}

/** What `--only` runs, each on a DynamoDB Local of its own. */
const SECTIONS: Record<string, (env: BenchEnvironment) => Promise<unknown>> = {
  loads: async (env) => {
    await warmUp(env, settings);
    await seedLoads(env, settings);
    return measureLoads(env, settings);
  },
  throughput: async (env) => {
    await warmUp(env, settings);
    const throughput = [];
    for (const c of settings.concurrencies) {
      throughput.push(await measureThroughput(env, settings, c));
    }
    return throughput;
  },
  requests: async (env) => {
    await warmUp(env, settings);
    return measureRequests(env, settings);
  },
  // Warms up on its own, after its in-process measures.
  history: (env) => measureHistory(env, settings, log),
  contention: async (env) => {
    await warmUp(env, settings);
    return measureContention(env, settings);
  },
  'personal-data': async (env) => {
    await warmUp(env, settings);
    return measurePersonalData(env, settings);
  },
  // Warms up with an untimed run of its own, on a fresh DynamoDB Local like the full run.
  projections: (env) => measureProjections(env, settings),
  archive: (env) => measureArchive(env, settings, log),
  // Warms up with orders of its own, not measured.
  processes: (env) => measureProcesses(env, settings, log),
};

/** Sections `--write` can measure again into the results of the last full run. */
const WRITABLE: Record<string, { key: keyof BenchResults; title: string }> = {
  projections: {
    key: 'projections',
    title: '4. Projections in their stream host, through the local stream runner',
  },
  history: { key: 'history', title: '9. Verifiable history' },
  contention: { key: 'contention', title: '10. Contention: writers on one stream' },
  'personal-data': { key: 'personalData', title: '11. Personal data: sealing per subject' },
  archive: { key: 'archive', title: '12. History that ages: the archive' },
  processes: { key: 'processes', title: '13. Process managers: order fulfilment' },
};

/**
 * Puts one section's new figures into bench/results.json, keeping every other section's, and
 * renders BENCHMARKS.md again; the report names the section measured apart.
 */
function writeSection(section: string, figures: unknown, seconds: number): void {
  const file = path.join(projectRoot, 'bench', 'results.json');
  const previous = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  const { key, title } = WRITABLE[section]!;
  const results: BenchResults = {
    ...previous,
    [key]: figures,
    updatedSections: [
      ...(previous.updatedSections ?? []).filter((update) => update.section !== section),
      { section, title, measuredAt: new Date().toISOString(), durationSeconds: seconds },
    ],
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(projectRoot, 'BENCHMARKS.md'), renderReport(results));
  log(`wrote section ${title} into BENCHMARKS.md and bench/results.json`);
}

/** One section on its own DynamoDB Local: its figures printed as JSON, or (`--write`) kept. */
async function measureOne(section: string): Promise<void> {
  const measure = SECTIONS[section];
  if (!measure) {
    throw new Error(`--only takes ${Object.keys(SECTIONS).join(', ')}, not '${section}'`);
  }
  if (write && (quick || !WRITABLE[section])) {
    throw new Error(
      `--write keeps full measurements of ${Object.keys(WRITABLE).join(', ')} only (no --quick)`,
    );
  }
  const started = performance.now();
  const figures = await withDynamoDbLocal(measure);
  if (write) return writeSection(section, figures, (performance.now() - started) / 1000);
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

/** BENCHMARKS.md from the results as they are. */
function render(): void {
  const file = path.join(projectRoot, 'bench', 'results.json');
  const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  writeFileSync(path.join(projectRoot, 'BENCHMARKS.md'), renderReport(results));
  log('wrote BENCHMARKS.md from bench/results.json');
}

async function main(): Promise<void> {
  if (process.argv.includes('--render')) return render();
  if (process.argv.includes('--only')) return measureOne(only ?? '');
  const started = performance.now();
  const results = await measure(started);
  const report = renderReport(results);
  if (quick) {
    process.stdout.write(report);
    log('quick run: BENCHMARKS.md and bench/results.json left as they were');
    return;
  }
  writeFileSync(
    path.join(projectRoot, 'bench', 'results.json'),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  writeFileSync(path.join(projectRoot, 'BENCHMARKS.md'), report);
  log(`wrote BENCHMARKS.md and bench/results.json in ${Math.round(results.durationSeconds)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
