import type { Machine } from './machine';
import type { ArchiveResult } from './sections/archive';
import type { BundlesResult } from './sections/bundles';
import type { ContentionResult } from './sections/contention';
import type { GlobalLogResult } from './sections/global-log';
import type { HistoryResult } from './sections/history';
import type { ProcessesResult } from './sections/processes';
import type { PersonalDataResult } from './sections/personal-data';
import type { LoadResult } from './sections/loads';
import type { ProjectionsResult } from './sections/projections';
import type { KeyedCommandsResult } from './sections/keyed-commands';
import type { ItemSizes } from './sections/request-item-sizes';
import type { RequestsResult } from './sections/requests';
import type { ThroughputResult } from './sections/throughput';
import type { BenchSettings } from './settings';

/** Everything one `npm run bench` measured; written to bench/results.json. */
export interface BenchResults {
  readonly generatedAt: string;
  readonly durationSeconds: number;
  readonly settings: BenchSettings;
  readonly machine: Machine;
  readonly throughput: readonly ThroughputResult[];
  readonly requests: {
    readonly sizes: ItemSizes;
    readonly operations: readonly RequestsResult[];
  };
  readonly loads: readonly LoadResult[];
  readonly keyedCommands: KeyedCommandsResult;
  readonly projections: ProjectionsResult;
  readonly bundles: BundlesResult;
  readonly globalLog: GlobalLogResult;
  readonly history: HistoryResult;
  /** Section 10; absent from results measured before the section existed. */
  readonly contention?: ContentionResult;
  /** Section 11; absent from results measured before the section existed. */
  readonly personalData?: PersonalDataResult;
  /** Section 12; absent from results measured before the section existed. */
  readonly archive?: ArchiveResult;
  /** Section 13; absent from results measured before the section existed. */
  readonly processes?: ProcessesResult;
  /**
   * Sections measured again on their own since this run (`npm run bench -- --only history
   * --write`), their figures in place of the run's; absent after a full run.
   */
  readonly updatedSections?: readonly SectionUpdate[];
}

/** One section measured apart from the rest of the results. */
export interface SectionUpdate {
  readonly section: string;
  /** The section's heading in the report. */
  readonly title: string;
  readonly measuredAt: string;
  readonly durationSeconds: number;
}
