/** The report's section on contention: writers on one stream. */
import { figure, ratio, table } from './format';
import type { BenchResults } from './results';
import type { ContentionRun } from './sections/contention';

const percent = (share: { median: number; min: number; max: number }) =>
  share.min === share.max
    ? `${(share.median * 100).toFixed(1)} %`
    : `${(share.median * 100).toFixed(1)} % (${(share.min * 100).toFixed(1)}–` +
      `${(share.max * 100).toFixed(1)} %)`;

const label = (run: ContentionRun) =>
  run.takingTurns ? `${run.writers}, one process (one command handler)` : String(run.writers);

export function contentionSection(results: BenchResults): string {
  const contention = results.contention;
  if (!contention) return '';
  const find = (writers: number, takingTurns = false) =>
    contention.writers.find((w) => w.writers === writers && w.takingTurns === takingTurns);
  const four = find(4);
  const sixteen = find(16);
  const turns = find(16, true);
  const targetRows = [
    ...(sixteen
      ? [
          [
            'Commits/s of 16 writers, separate processes, over those of one writer',
            '≥ 0.50×',
            ratio(sixteen.commitsVersusOneWriter),
            sixteen.commitsVersusOneWriter.median >= 0.5 ? 'met' : '**missed**',
          ],
        ]
      : []),
    ...(turns
      ? [
          [
            'Commits/s of 16 writers, one process (one command handler), over those of one writer',
            '≥ 0.50×',
            ratio(turns.commitsVersusOneWriter),
            turns.commitsVersusOneWriter.median >= 0.5 ? 'met' : '**missed**',
          ],
        ]
      : []),
    ...(four
      ? [
          [
            'Conflicts (409) left after the retry budget, 4 writers',
            '0',
            `${four.conflicts} of ${four.commands} commands`,
            four.conflicts === 0 ? 'met' : '**missed**',
          ],
        ]
      : []),
  ];
  return [
    '## 10. Contention: writers on one stream',
    '',
    'Writers all sending deposits to one stream, each the next as soon as its last is answered. ' +
      'Every writer is a `CommandHandler` with an `EventStore` of its own, as separate Lambda ' +
      'containers would be, with the default retry policy (at most ' +
      `${contention.retry.maxAttempts} attempts within ${contention.retry.budgetMs} ms, ` +
      'decorrelated-jitter backoff) and a snapshot every 10 events. A command that loses a race ' +
      'reads only the events appended since the version it decided on and decides again; one ' +
      'whose budget runs out is answered with a conflict (HTTP 409). Each slice is a fresh stream ' +
      `and lasts ${contention.sliceMs} ms (commands still running at its end are awaited and ` +
      `counted); the writer counts take turns slice by slice, ${contention.runs} runs, each figure ` +
      'the median over runs. “Writes per commit” counts the conditional writes sent (won and lost ' +
      'races) per committed command, “events read” the events its Queries returned. The “one ' +
      'process” row runs 16 writers through one `CommandHandler`, as concurrent requests to one ' +
      'process (the local stack, a container) are: its per-stream queue runs one command on the ' +
      `stream at a time. The machine’s load average was ${contention.loadAverageAtStart} when the section ` +
      'started (other processes share its cores), hence the wide spread between runs; writer ' +
      'counts are compared within each run.',
    '',
    table(
      [
        'Writers',
        'Commits/s',
        '÷ one writer',
        '409 share',
        'p50 ms',
        'p99 ms',
        'Writes per commit',
        'Events read per commit',
      ],
      contention.writers.map((run) => [
        label(run),
        figure(run.commitsPerSecond),
        ratio(run.commitsVersusOneWriter),
        percent(run.conflictShare),
        figure(run.p50Ms),
        figure(run.p99Ms),
        figure(run.writesPerCommit, 2),
        figure(run.eventsReadPerCommit, 1),
      ]),
    ),
    '',
    table(['Contention target', 'Wanted', 'Measured', ''], targetRows),
    '',
    ...(sixteen && turns ? [whySection(sixteen, turns)] : []),
  ].join('\n');
}

/** Why independent writers fall behind one writer, with this run's figures. */
function whySection(sixteen: ContentionRun, turns: ContentionRun): string {
  return (
    'Every writer that loses a race has cost DynamoDB a refused write, a read of the head (for ' +
    'the conflict’s current version) and a read of the tail before it tries again; on DynamoDB ' +
    'Local these requests queue behind one another on the same cores as the winner’s. At 16 ' +
    `writers a commit took ${figure(sixteen.writesPerCommit, 2)} writes, so most of the ` +
    'emulator’s work went into races lost. Reading only the tail makes each retry cheap (' +
    `${figure(sixteen.eventsReadPerCommit, 1)} events read per commit, first loads included), ` +
    'but it cannot make losing free. The same 16 writers through one command handler lose no ' +
    `race (${figure(turns.writesPerCommit, 2)} writes per commit) and reach ` +
    `${ratio(turns.commitsVersusOneWriter)} the commits/s of one writer: the handler runs the ` +
    'commands it gets for one stream one after another (commands for other streams beside ' +
    'them), so requests to one process no longer race. Writers in separate processes still ' +
    'do: in AWS, where each Lambda container serves one request at a time, what meets the ' +
    'target for them is commands for a hot stream sent through one ordered lane (an SQS FIFO ' +
    'message group per stream) or the aggregate split so that no one stream is hot.'
  );
}
