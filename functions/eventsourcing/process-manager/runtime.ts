import type { AggregateRepository } from '../aggregate-repository.js';
import { ConcurrencyError, DomainError, EventSourcingError } from '../errors.js';
import { EventCatalogue } from '../event-catalogue.js';
import { EventStore } from '../event-store.js';
import { retryWithBackoff, type RetryPolicy } from '../retry.js';
import { repositoryFor, type EventSourcingStorage } from '../storage.js';
import type { EventMetadata, NewEvent, RecordedEvent } from '../types.js';
import { scheduleName, type TimerScheduler } from '../timers/index.js';
import type {
  AnyCommandTarget,
  ProcessInput,
  ProcessManager,
  ProcessOutput,
  TimerFired,
} from './definition.js';
import {
  decideInput,
  evolveInstance,
  refusalOf,
  type InputDecision,
  type PendingCommand,
  type ProcessInstance,
} from './instance.js';
import { loadInstance } from './instance-reader.js';
import { instanceStreamId, processEvents, type ProcessStreamEvent } from './process-events.js';

/** What a timer's schedule delivers to the process: which instance, which scheduling. */
export interface TimerDelivery {
  readonly process: string;
  readonly instanceId: string;
  readonly timer: string;
  readonly timerId: string;
  readonly at: string;
}

/** A process decided more steps for one input than any process should: a loop, not progress. */
export class ProcessLoopError extends EventSourcingError {
  readonly code = 'ProcessLoop';
  constructor(streamId: string, steps: number) {
    super(`Process ${streamId} took ${steps} steps without settling: its decisions loop`);
    this.name = 'ProcessLoopError';
  }
}

/** A command's stream belongs to none of the process's targets. */
export class UnknownTargetError extends EventSourcingError {
  readonly code = 'UnknownTarget';
  constructor(process: string, streamId: string) {
    super(`Process ${process} sent a command to ${streamId}, a stream of none of its targets`);
    this.name = 'UnknownTargetError';
  }
}

export interface ProcessRuntimeOptions {
  readonly storage: EventSourcingStorage;
  readonly timers: TimerScheduler;
  readonly clock?: () => Date;
  /** Retries of a step that lost a race with another delivery of the same instance. */
  readonly retry?: RetryPolicy;
}

const STEP_RETRY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 10, maxDelayMs: 1000 };
const MAX_STEPS = 200;
const OVERDUE_DELAY_MS = 5_000;

type Target = { readonly target: AnyCommandTarget; readonly repository: AnyRepository };
type AnyRepository = AggregateRepository<unknown, unknown, NewEvent>;

/** The metadata of a step: caused by `cause`, in the request its correlation id names. */
function stepMetadata(
  cause: Pick<RecordedEvent, 'eventId' | 'metadata'> | undefined,
): EventMetadata {
  if (!cause) return {};
  const { correlationId, actor } = cause.metadata;
  return {
    causationId: cause.eventId,
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(actor === undefined ? {} : { actor }),
  };
}

/**
 * Runs a process manager over the events table: loads an instance from its stream, records each
 * input with the outputs decided on it (conditional on the instance's version, so of two
 * deliveries of one input only one is recorded), sends each decided command in one transaction
 * with the `ProcessCommandDone` that records it (conditional on the instance's and the target's
 * versions), and keeps the instance's timers scheduled. Commands go out in the order decided,
 * one at a time, before any later input is applied; a refused one becomes the input
 * `CommandRefused` and drops the rest of its decision.
 */
export class ProcessManagerRuntime<Event extends RecordedEvent, State> {
  private readonly store: EventStore;
  private readonly targets: readonly Target[];
  private readonly clock: () => Date;
  private readonly retry: RetryPolicy;

  constructor(
    readonly definition: ProcessManager<Event, State>,
    private readonly options: ProcessRuntimeOptions,
  ) {
    const { storage } = options;
    const catalogues = [...new Set(definition.targets.map((t) => t.events.catalogue))];
    this.store = new EventStore({
      client: storage.client,
      tableName: storage.eventsTable,
      catalogue: EventCatalogue.combine(processEvents.catalogue, ...catalogues),
      ...(storage.personalData ? { personalData: storage.personalData } : {}),
    });
    this.targets = definition.targets.map((target) => ({
      target,
      repository: repositoryFor(storage, target.decider, {
        catalogue: target.events.catalogue,
        ...(target.snapshots && storage.snapshotsTable ? { snapshots: target.snapshots } : {}),
      }),
    }));
    this.clock = options.clock ?? (() => new Date());
    this.retry = options.retry ?? STEP_RETRY;
  }

  /** The instance as its stream holds it now. */
  load(instanceId: string): Promise<ProcessInstance<State>> {
    return loadInstance(this.store, this.definition, instanceId);
  }

  /**
   * Applies `input` to the instance `instanceId` once: its pending commands go out first, then
   * the input is recorded with its outputs (or skipped: applied before, not started, completed,
   * a stale timer), then the outputs' commands and timers. `cause` is the event the input came
   * from, for the metadata of what it causes.
   */
  async receive(
    instanceId: string,
    input: ProcessInput<Event>,
    cause?: Pick<RecordedEvent, 'eventId' | 'metadata'>,
  ): Promise<ProcessInstance<State>> {
    return this.retrying(async () => {
      const settled = await this.settle(await this.load(instanceId));
      const decision = decideInput(this.definition, settled, input);
      if ('skip' in decision) return settled;
      const recorded = await this.record(settled, decision, cause ?? settled.last);
      await this.keepTimers(instanceId, recorded, decision.outputs);
      return this.settle(recorded);
    });
  }

  /**
   * Finishes what an instance's recorded step left to do: its pending commands, and the timers
   * its `outputs` scheduled or cancelled (a crash may have come between the record and the
   * scheduler). Safe to repeat.
   */
  async resume(
    instanceId: string,
    outputs: readonly ProcessOutput[] = [],
  ): Promise<ProcessInstance<State>> {
    return this.retrying(async () => {
      const instance = await this.settle(await this.load(instanceId));
      await this.keepTimers(instanceId, instance, outputs);
      return instance;
    });
  }

  /** A timer's delivery as the process's input. */
  timerInput(delivery: TimerDelivery): TimerFired {
    return {
      type: 'TimerFired',
      timer: delivery.timer,
      timerId: delivery.timerId,
      at: delivery.at,
    };
  }

  private retrying<T>(step: () => Promise<T>): Promise<T> {
    return retryWithBackoff(this.retry, step, {
      retryable: (error) => error instanceof ConcurrencyError,
    });
  }

  /** Sends the instance's pending commands, one transaction each, until none is left. */
  private async settle(start: ProcessInstance<State>): Promise<ProcessInstance<State>> {
    let instance = start;
    for (let steps = 0; instance.pending.length > 0; steps++) {
      if (steps >= MAX_STEPS) throw new ProcessLoopError(instance.streamId, steps);
      instance = await this.send(instance, instance.pending[0]!);
    }
    return instance;
  }

  private async send(
    instance: ProcessInstance<State>,
    command: PendingCommand,
  ): Promise<ProcessInstance<State>> {
    const { target, repository } = this.targetOf(command.streamId);
    const loaded = await repository.load(command.streamId);
    let events: readonly NewEvent[];
    try {
      events = target.decider.decide(command.command, loaded.state);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const refusal = refusalOf(command, error, this.clock().toISOString());
      const decision = decideInput(this.definition, instance, refusal);
      if ('skip' in decision) throw error;
      const recorded = await this.record(instance, decision, instance.last);
      await this.keepTimers(this.instanceIdOf(instance), recorded, decision.outputs);
      return recorded;
    }
    const done: NewEvent = { type: 'ProcessCommandDone', data: { commandId: command.commandId } };
    const [recorded] = await this.store.appendToStreams(
      [
        { streamId: instance.streamId, events: [done], expectedVersion: instance.version },
        ...(events.length === 0
          ? []
          : [
              {
                streamId: command.streamId,
                events,
                expectedVersion: loaded.version === 0 ? ('no_stream' as const) : loaded.version,
              },
            ]),
      ],
      { metadata: stepMetadata(instance.last) },
    );
    return evolveInstance(this.definition, instance, recorded!.events[0] as ProcessStreamEvent);
  }

  private async record(
    instance: ProcessInstance<State>,
    decision: Exclude<InputDecision, { skip: string }>,
    cause: Pick<RecordedEvent, 'eventId' | 'metadata'> | undefined,
  ): Promise<ProcessInstance<State>> {
    const { inputId, input, outputs } = decision;
    const result = await this.store.append(
      instance.streamId,
      [{ type: 'ProcessInputApplied', data: { inputId, input, outputs } }],
      {
        expectedVersion: instance.version === 0 ? 'no_stream' : instance.version,
        metadata: stepMetadata(cause),
      },
    );
    return evolveInstance(this.definition, instance, result.events[0] as ProcessStreamEvent);
  }

  /**
   * Brings the scheduler in line with the instance for every timer `outputs` names: a timer
   * still pending is (re)scheduled as the instance holds it, any other is removed. Converges
   * however often and in whatever order it runs.
   */
  private async keepTimers(
    instanceId: string,
    instance: ProcessInstance<State>,
    outputs: readonly ProcessOutput[],
  ): Promise<void> {
    const named = new Set(
      outputs.flatMap((o) =>
        o.type === 'ScheduleTimer' || o.type === 'CancelTimer' ? [o.timer] : [],
      ),
    );
    for (const timer of named) {
      const name = scheduleName(this.definition.name, instanceId, timer);
      const pending = instance.timers.get(timer);
      if (!pending) {
        await this.options.timers.remove(name);
        continue;
      }
      const delivery: TimerDelivery = {
        process: this.definition.name,
        instanceId,
        timer,
        timerId: pending.timerId,
        at: pending.at,
      };
      await this.options.timers.put(name, this.notPast(pending.at), { ...delivery });
    }
  }

  /**
   * When to fire a timer due at `at`: then, or shortly from now when that has passed (a timer
   * scheduled again after a crash fires late rather than never; Scheduler takes no past time).
   */
  private notPast(at: string): Date {
    return new Date(Math.max(Date.parse(at), this.clock().getTime() + OVERDUE_DELAY_MS));
  }

  private instanceIdOf(instance: ProcessInstance<State>): string {
    return instance.streamId.slice(instanceStreamId(this.definition.name, '').length);
  }

  private targetOf(streamId: string): Target {
    const found = this.targets.find(({ target }) => target.events.owns(streamId));
    if (!found) throw new UnknownTargetError(this.definition.name, streamId);
    return found;
  }
}
