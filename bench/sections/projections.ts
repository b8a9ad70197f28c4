import { accountUpcasters } from '../../functions/accounts/events';
import { accountSummariesProjection } from '../../functions/accounts/projections/summaries';
import { createProjectionHandler } from '../../functions/eventsourcing';
import { measureConsumerRuns, type ConsumerSection } from '../consumer-runs';
import type { BenchEnvironment } from '../environment';
import type { BenchSettings } from '../settings';
import { spread, type Spread } from '../stats';

/** Section 4: one declared projection fed by the local stream runner. */
export interface ProjectionsResult extends ConsumerSection {
  /** Events already in the stream when the runner starts: how fast it catches up. */
  readonly catchUpEventsPerSecond: Spread;
  /** Events written while the runner runs: the rate they were applied at, and their lag. */
  readonly live: {
    readonly writtenPerSecond: Spread;
    readonly appliedPerSecond: Spread;
    readonly lagP50Ms: Spread;
    readonly lagP99Ms: Spread;
  };
}

const CONSUMER = 'accountSummariesProjection';

export async function measureProjections(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<ProjectionsResult> {
  const measured = await measureConsumerRuns(env, settings, {
    consumer: CONSUMER,
    // The declared function's projection, on this run's tables (the module-level handler would
    // keep the tables of the first run it saw).
    handler: (tables) =>
      createProjectionHandler(accountSummariesProjection, {
        upcasters: accountUpcasters,
        client: env.client,
        tables: {
          events: tables.events,
          readModel: tables.accountSummaries,
          parkedStreams: tables.parkedStreams,
        },
      }),
    after: (run) => Promise.resolve(run),
  });
  const { runs } = measured;
  return {
    consumer: CONSUMER,
    settings: measured.settings,
    events: settings.projections.events,
    streams: settings.projections.streams,
    runs: runs.length,
    writtenWithoutConsumerPerSecond: spread(runs.map((r) => r.writtenWithoutConsumerPerSecond)),
    catchUpEventsPerSecond: spread(runs.map((r) => r.catchUpPerSecond)),
    live: {
      writtenPerSecond: spread(runs.map((r) => r.writtenPerSecond)),
      appliedPerSecond: spread(runs.map((r) => r.handledPerSecond)),
      lagP50Ms: spread(runs.map((r) => r.lagP50Ms)),
      lagP99Ms: spread(runs.map((r) => r.lagP99Ms)),
    },
  };
}
