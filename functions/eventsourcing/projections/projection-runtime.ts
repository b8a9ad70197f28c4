import {
  ConsumerRuntime,
  type ConsumerRuntimeOptions,
  type ConsumerTables,
} from '../consumers/consumer-runtime.js';
import type { GuardedTarget } from '../consumers/version-guard.js';
import type { Projection } from '../projection.js';
import { CoalescedRequests } from './coalesced-requests.js';
import { GenerationWriter } from './generation-writer.js';
import { controlKey } from './read-model-keys.js';
import {
  generationsOf,
  readGenerations,
  writtenGenerations,
  type GenerationState,
  type GenerationsItem,
} from './generations.js';

/** Physical names of the tables a projection uses. */
/**
 * Streams of a batch a projection processes at the same time: all of them, up to 100. Their
 * reads and commits are gathered, so more streams side by side make fewer, larger requests.
 */
const STREAMS_AT_ONCE = 100;

export interface ProjectionTables extends ConsumerTables {
  readonly readModel: string;
}

export interface ProjectionRuntimeOptions extends ConsumerRuntimeOptions {
  readonly tables: ProjectionTables;
  /**
   * Gathers the read-model reads and commits of streams running side by side; a host shares one
   * between its projections. The projection's own when omitted.
   */
  readonly requests?: CoalescedRequests;
}

/**
 * A projection at run time: its generations, one version guard per written generation, parking
 * and redrive (see `ConsumerRuntime`). Shared by the consumer host, redrive and rebuild.
 */
export class ProjectionRuntime extends ConsumerRuntime {
  readonly kind = 'projection';
  private readonly writers = new Map<number, GenerationWriter>();
  private readonly requests: CoalescedRequests;

  constructor(
    readonly projection: Projection,
    override readonly options: ProjectionRuntimeOptions,
  ) {
    super(projection.name, projection.handles, { concurrency: STREAMS_AT_ONCE, ...options });
    this.requests = options.requests ?? new CoalescedRequests(this.doc);
  }

  /** The item in the read-model table that says which generations exist. */
  get generationsItem(): GenerationsItem {
    return { doc: this.doc, tableName: this.options.tables.readModel, projection: this.name };
  }

  generations(consistent = true): Promise<GenerationState> {
    return readGenerations(this.generationsItem, consistent);
  }

  writer(generation: number): GenerationWriter {
    let writer = this.writers.get(generation);
    if (!writer) {
      writer = new GenerationWriter(
        this.requests,
        this.options.tables.readModel,
        this.projection,
        generation,
      );
      this.writers.set(generation, writer);
    }
    return writer;
  }

  /**
   * The live generation first, and the generation a rebuild is building: consumers write it
   * too, so it misses nothing that arrives while the rebuild scans.
   */
  async targets(): Promise<readonly GuardedTarget[]> {
    const { readModel } = this.options.tables;
    const item = await this.requests.get(readModel, controlKey(this.name, 'generations'));
    return writtenGenerations(generationsOf(item)).map((generation) => this.writer(generation));
  }
}
