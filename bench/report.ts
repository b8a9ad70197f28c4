import type { BenchResults } from './results';
import { integer, ratio, table } from './format';
import { findingsSection, targetMet, targets, type Target } from './findings';
import { archiveSection } from './report-archive';
import { contentionSection } from './report-contention';
import { historySection } from './report-history';
import { personalDataSection } from './report-personal-data';
import { processesSection } from './report-processes';
import { appendSection, keyedCommandsSection, requestsSection } from './report-writes';
import {
  bundlesSection,
  globalLogSection,
  loadsSection,
  peerSection,
  projectionsSection,
} from './report-reads';

/** What a target asks for: a ratio, or a rate in its unit. */
const wanted = (t: Target) =>
  `${t.atMost ? '≤' : '≥'} ` +
  (t.unit ? `${integer.format(t.threshold)} ${t.unit}` : `${t.threshold.toFixed(2)}×`);

const measuredText = (t: Target) =>
  t.unit
    ? `**${integer.format(t.measured.median)}** (${integer.format(t.measured.min)}–` +
      `${integer.format(t.measured.max)}) ${t.unit}`
    : ratio(t.measured);

function summarySection(results: BenchResults): string {
  const rows = targets(results).map((t) => [
    t.name,
    wanted(t),
    measuredText(t),
    targetMet(t) ? 'met' : '**missed**',
  ]);
  return [
    '## Targets',
    '',
    'Speed of the framework relative to the other side, as throughput ratios (or load-time ratios ' +
      'for loads): above 1 the framework is faster; a load with a snapshot is compared by time ' +
      'with a raw `Query` of its tail (≤: at most that many times as long). The append targets ' +
      'sit at the noise floor: two identical raw `PutItem` sides (the control in section 1) ' +
      'differ by about as much. Each ratio pairs the two sides within one run ' +
      'and the table gives the median over runs with the lowest and highest run in brackets. ' +
      'Hashing is compared with the same append without it, and verification’s in-process ' +
      'work is a rate in events per second (section 9).',
    '',
    table(['Target', 'Wanted', 'Measured', ''], rows),
  ].join('\n');
}

function machineSection(results: BenchResults): string {
  const m = results.machine;
  const s = results.settings;
  return [
    '## Machine and method',
    '',
    table(
      ['', ''],
      [
        ['CPU', `${m.cpu}, ${m.cores} cores`],
        ['Memory', `${m.memoryGiB} GiB`],
        ['OS', m.os],
        ['Node.js', m.node],
        ['Java', m.java],
        ['DynamoDB Local', m.dynamoDbLocal],
        ['AWS SDK', m.awsSdk],
        ['Peer', m.castore],
        ['Load average at start', String(m.loadAverageAtStart)],
      ],
    ),
    '',
    `One DynamoDB Local (Java) and the benchmark (one Node.js process, one DynamoDB client) share ` +
      `the same ${m.cores} cores, so absolute figures are those of the emulator on this machine, not ` +
      'of DynamoDB; the ratios are what carries over. The machine is noisy (other processes run ' +
      'beside the benchmark), so every comparison is interleaved: time is cut into ' +
      `${s.sliceMs} ms slices in which one side runs, the order of the sides rotating from slice ` +
      `to slice; a run is ${s.slicesPerRun} slices of every side, and every figure is the median of ` +
      `${s.runs} runs with the lowest and highest run in brackets. Each worker writes its own ` +
      'streams, so the workers never contend for a version. Before measuring, each side runs ' +
      `untimed for ${s.warmupMs} ms, and a mixed load of ${s.globalWarmupMs / 1000} s warms the JVM. ` +
      'Every table is created and written once before anything is measured: DynamoDB Local ' +
      'serves a table whose first write comes after its database has filled some 30 times ' +
      'slower, for good (measured while building this benchmark: about 25 ms instead of 0.7 ms ' +
      'per `PutItem`). ' +
      'Every event is the same deposit (amount, currency, reference) with the same metadata ' +
      '(correlation id, command id, actor).',
  ].join('\n');
}

/** Names the sections measured again on their own since the run, if any. */
function updatesNote(results: BenchResults): string {
  const updates = results.updatedSections ?? [];
  if (updates.length === 0) return '';
  const listed = updates.map(
    (u) =>
      `“${u.title}” on ${u.measuredAt.slice(0, 10)} in ${Math.round(u.durationSeconds)} s ` +
      `(\`npm run bench -- --only ${u.section} --write\`)`,
  );
  return ` Measured again on their own since, their figures in place of that run’s: ${listed.join('; ')}.`;
}

export function renderReport(results: BenchResults): string {
  return [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${results.generatedAt.slice(0, 10)} in ` +
      `${Math.round(results.durationSeconds)} s (${results.settings.mode} settings); this file and ` +
      '`bench/results.json` are written by that run, so rerun it rather than edit them.' +
      updatesNote(results),
    '',
    summarySection(results),
    '',
    findingsSection(results),
    '',
    machineSection(results),
    '',
    appendSection(results),
    '',
    requestsSection(results),
    '',
    loadsSection(results),
    '',
    projectionsSection(results),
    '',
    peerSection(results),
    '',
    bundlesSection(results),
    '',
    globalLogSection(results),
    '',
    keyedCommandsSection(results),
    '',
    historySection(results),
    '',
    ...(results.contention ? [contentionSection(results), ''] : []),
    ...(results.personalData ? [personalDataSection(results)] : []),
    ...(results.archive ? [archiveSection(results)] : []),
    ...(results.processes ? [processesSection(results)] : []),
  ].join('\n');
}
