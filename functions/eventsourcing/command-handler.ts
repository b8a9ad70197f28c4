import type { AggregateRepository, LoadedAggregate } from './aggregate-repository.js';
import { fold } from './decider.js';
import { ConcurrencyError, StreamClosedError } from './errors.js';
import type { ConditionalPut } from './event-writes.js';
import { retryWithBackoff, type RetryPolicy } from './retry.js';
import { StreamLanes } from './stream-lanes.js';
import type { EventMetadata, NewEvent, RecordedEvent } from './types.js';

/**
 * Conflicts are retried for at most two seconds: well inside a command function's timeout, so a
 * hot stream answers with a conflict the client can retry instead of running into a timeout.
 */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 20,
  baseDelayMs: 5,
  maxDelayMs: 250,
  budgetMs: 2000,
};

/** What a command decided, and the state and version it leads to, before anything is written. */
export interface Decision<State, Event> {
  readonly streamId: string;
  /** Stream version once the decided events are appended. */
  readonly version: number;
  readonly state: State;
  /** The decided events (empty when the decider decided nothing). */
  readonly events: readonly Event[];
}

export interface HandleOptions<State = unknown, Event = unknown> {
  /**
   * Pin the stream version the caller saw (HTTP `If-Match`): the command runs only if the
   * stream is still exactly there, and a conflict is returned to the caller, not retried.
   */
  readonly expectedVersion?: number;
  readonly metadata?: EventMetadata;
  /**
   * Runs after each load (and each catch-up of a retry), before deciding: what it throws ends
   * the command with nothing written (e.g. the caller may not act on this aggregate).
   */
  readonly guard?: (loaded: LoadedAggregate<State>) => void | Promise<void>;
  /**
   * Writes to commit in the same transaction as the decision: with its events, or, when it
   * decided none, with a check that the stream is still at the version it was decided on.
   * Called once per attempt, with the decision, before anything is written.
   */
  readonly commitWith?: (decision: Decision<State, Event>) => readonly ConditionalPut[];
  /** Runs before each retry after a conflict; what it throws ends the retries. */
  readonly beforeRetry?: () => Promise<void>;
}

export interface HandleResult<State> {
  readonly streamId: string;
  /** Stream version after the command. */
  readonly version: number;
  readonly state: State;
  /** Events this command appended (empty when the decider decided nothing). */
  readonly events: readonly RecordedEvent[];
}

/**
 * Load, decide, append at the loaded version; on a concurrency conflict read only the events
 * appended since that version, fold them onto the state already held and decide again, after a
 * decorrelated-jitter backoff, within the retry policy's attempts and time budget. Domain errors
 * thrown by `decide` pass through unchanged.
 *
 * Commands this handler receives for one stream run one after another (commands for other
 * streams beside them): in one process they would only race each other. Writers in other
 * processes still race, and the retries above settle that.
 */
export class CommandHandler<Command, State, Event extends NewEvent> {
  private readonly lanes = new StreamLanes();

  constructor(
    readonly repository: AggregateRepository<Command, State, Event>,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  handle(
    streamId: string,
    command: Command,
    options: HandleOptions<State, Event> = {},
  ): Promise<HandleResult<State>> {
    return this.lanes.run(streamId, () => this.handleInTurn(streamId, command, options));
  }

  private async handleInTurn(
    streamId: string,
    command: Command,
    options: HandleOptions<State, Event>,
  ): Promise<HandleResult<State>> {
    const pinned = options.expectedVersion;
    // What the last attempt decided on: a retry reads only the events appended since.
    let held: LoadedAggregate<State> | undefined;
    return retryWithBackoff(
      this.retry,
      async () => {
        const loaded = held
          ? await this.repository.catchUp(held)
          : await this.repository.load(streamId);
        held = loaded;
        if (loaded.closed !== undefined) throw new StreamClosedError(streamId, loaded.closed);
        if (pinned !== undefined && loaded.version !== pinned) {
          throw new ConcurrencyError(streamId, pinned, loaded.version);
        }
        await options.guard?.(loaded);
        return this.decideAndCommit(loaded, command, options);
      },
      {
        retryable: (error) => error instanceof ConcurrencyError && pinned === undefined,
        ...(options.beforeRetry ? { beforeRetry: options.beforeRetry } : {}),
      },
    );
  }

  private async decideAndCommit(
    loaded: LoadedAggregate<State>,
    command: Command,
    options: HandleOptions<State, Event>,
  ): Promise<HandleResult<State>> {
    const { decider, store } = this.repository;
    const { streamId } = loaded;
    const events = decider.decide(command, loaded.state);
    const decision: Decision<State, Event> = {
      streamId,
      version: loaded.version + events.length,
      state: fold(decider, loaded.state, events),
      events,
    };
    const writes = options.commitWith?.(decision) ?? [];
    if (events.length === 0) {
      if (writes.length > 0) await store.commitAt(streamId, loaded.version, writes);
      return { streamId, version: loaded.version, state: loaded.state, events: [] };
    }
    const appended = await store.append(streamId, events, {
      expectedVersion: loaded.version === 0 ? 'no_stream' : loaded.version,
      ...(options.metadata ? { metadata: options.metadata } : {}),
      ...(loaded.lastRecordedAt ? { notBefore: loaded.lastRecordedAt } : {}),
      alongside: writes,
    });
    const last = appended.events.at(-1);
    await this.repository.maybeSnapshot({
      ...loaded,
      state: decision.state,
      version: appended.version,
      lastRecordedAt: last?.recordedAt,
      lastEvent: last,
    });
    return { streamId, version: appended.version, state: decision.state, events: appended.events };
  }
}
