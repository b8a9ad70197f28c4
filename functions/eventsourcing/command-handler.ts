import type { AggregateRepository, LoadedAggregate } from './aggregate-repository';
import { ConcurrencyError } from './errors';
import type { EventMetadata, NewEvent, RecordedEvent } from './types';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 500 };

export interface HandleOptions {
  /**
   * Pin the stream version the caller saw (HTTP `If-Match`): the command runs only if the
   * stream is still exactly there, and a conflict is returned to the caller, not retried.
   */
  readonly expectedVersion?: number;
  readonly metadata?: EventMetadata;
}

export interface HandleResult<State> {
  readonly streamId: string;
  /** Stream version after the command. */
  readonly version: number;
  readonly state: State;
  /** Events this command appended (empty when the decider decided nothing). */
  readonly events: readonly RecordedEvent[];
}

/** "Full jitter" exponential backoff: spreads retrying writers so they stop colliding. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Load, decide, append at the loaded version; on a concurrency conflict reload and decide again,
 * a bounded number of times. Domain errors thrown by `decide` pass through unchanged.
 */
export class CommandHandler<Command, State, Event extends NewEvent> {
  constructor(
    private readonly repository: AggregateRepository<Command, State, Event>,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  async handle(
    streamId: string,
    command: Command,
    options: HandleOptions = {},
  ): Promise<HandleResult<State>> {
    const pinned = options.expectedVersion;
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.repository.load(streamId);
      if (pinned !== undefined && loaded.version !== pinned) {
        throw new ConcurrencyError(streamId, pinned, loaded.version);
      }
      try {
        return await this.decideAndAppend(loaded, command, options.metadata);
      } catch (error) {
        const retryable =
          error instanceof ConcurrencyError &&
          pinned === undefined &&
          attempt < this.retry.maxAttempts;
        if (!retryable) throw error;
        await sleep(backoffDelay(this.retry, attempt));
      }
    }
  }

  private async decideAndAppend(
    loaded: LoadedAggregate<State>,
    command: Command,
    metadata: EventMetadata | undefined,
  ): Promise<HandleResult<State>> {
    const { decider, store } = this.repository;
    const decided = decider.decide(command, loaded.state);
    if (decided.length === 0) {
      return {
        streamId: loaded.streamId,
        version: loaded.version,
        state: loaded.state,
        events: [],
      };
    }
    const appended = await store.append(loaded.streamId, decided, {
      expectedVersion: loaded.version === 0 ? 'no_stream' : loaded.version,
      ...(metadata ? { metadata } : {}),
      ...(loaded.lastRecordedAt ? { notBefore: loaded.lastRecordedAt } : {}),
    });
    let state = loaded.state;
    for (const event of appended.events) {
      state = decider.evolve(state, store.upcasters.upcast(event) as unknown as Event);
    }
    const after: LoadedAggregate<State> = {
      ...loaded,
      state,
      version: appended.version,
      lastRecordedAt: appended.events.at(-1)?.recordedAt,
    };
    await this.repository.maybeSnapshot(after);
    return { streamId: loaded.streamId, version: appended.version, state, events: appended.events };
  }
}
