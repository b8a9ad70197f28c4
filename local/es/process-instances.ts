import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventStore } from '../../functions/eventsourcing';
import { scanStreams } from '../../functions/eventsourcing/archive/head-scan';
import { mapConcurrently } from '../../functions/eventsourcing/consumers/concurrency';
import type { ConsumerRuntime } from '../../functions/eventsourcing/hosts';
import type { ProcessInstance } from '../../functions/eventsourcing/process-manager';
import type { AnyProcessManager } from '../../functions/eventsourcing/process-manager/grants';
import { foldInstance } from '../../functions/eventsourcing/process-manager/instance-reader';
import {
  instanceStreamId,
  processStreams,
} from '../../functions/eventsourcing/process-manager/process-events';
import type { StreamHead } from '../../functions/eventsourcing/stream-head-items';
import {
  oneLine,
  stepOf,
  todoOf,
  type InstanceDetail,
  type InstanceSummary,
  type ProcessOverview,
} from './views/process-instance-views';

export type * from './views/process-instance-views';

/** No process manager of that name, or no instance of that id: answered as not found. */
export class ProcessLookupError extends Error {
  override readonly name = 'ProcessLookupError';
  constructor(
    readonly code: 'UnknownProcess' | 'UnknownInstance',
    message: string,
  ) {
    super(message);
  }
}

export interface ProcessInstancesOptions {
  readonly client: DynamoDBClient;
  readonly eventsTable: string;
  /** Reads instance streams: its catalogue holds the process events. */
  readonly store: Pick<EventStore, 'read'>;
  readonly processes: readonly AnyProcessManager[];
  readonly clock?: () => Date;
}

const LOADS_AT_ONCE = 8;

/**
 * The instances of the declared process managers as their streams hold them: found by their
 * stream heads in the events table (one Scan), each loaded by its process's own fold. Reads
 * only: nothing is sent, recorded or scheduled.
 */
export class ProcessInstances {
  private readonly clock: () => Date;
  /** Longest name first: a stream of `a-b-1` belongs to the process `a-b`, not `a`. */
  private readonly byLength: readonly AnyProcessManager[];

  constructor(private readonly options: ProcessInstancesOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.byLength = [...options.processes].sort((a, b) => b.name.length - a.name.length);
  }

  /** The names of the declared process managers. */
  get names(): string[] {
    return this.options.processes.map((process) => process.name);
  }

  /** The processes named (every one when none is), each with its newest `newest` running instances. */
  async overview(
    names: readonly string[] = this.names,
    newest = 5,
  ): Promise<Omit<ProcessOverview, 'parked'>[]> {
    const processes = names.map((name) => this.process(name));
    if (processes.length === 0) return [];
    const heads = await this.headsByProcess();
    return Promise.all(
      processes.map(async (process) => {
        const found = (heads.get(process.name) ?? []).sort((a, b) =>
          b.lastAt.localeCompare(a.lastAt),
        );
        const instances = await mapConcurrently(found, LOADS_AT_ONCE, async (head) =>
          this.summaryOf(process, head, await this.load(process, head.streamId)),
        );
        const running = instances.filter((instance) => !instance.completed);
        return {
          name: process.name,
          description: process.description,
          running: running.length,
          completed: instances.length - running.length,
          instances: running.slice(0, newest),
        };
      }),
    );
  }

  /** One instance in full; `ProcessLookupError` when there is no such process or instance. */
  async instance(name: string, instanceId: string): Promise<InstanceDetail> {
    const process = this.process(name);
    const streamId = instanceStreamId(name, instanceId);
    const events = await this.options.store.read(streamId);
    if (events.length === 0) {
      throw new ProcessLookupError(
        'UnknownInstance',
        `Process ${name} has no instance ${instanceId}`,
      );
    }
    const instance = foldInstance(process, streamId, events);
    return {
      process: name,
      instanceId,
      streamId,
      version: instance.version,
      completed: instance.completed,
      state: instance.state,
      history: events.map(stepOf),
      ...todoOf(instance, this.clock().getTime()),
    };
  }

  private process(name: string): AnyProcessManager {
    const process = this.options.processes.find((candidate) => candidate.name === name);
    if (!process) {
      throw new ProcessLookupError(
        'UnknownProcess',
        `Unknown process '${name}'. Known: ${this.names.join(', ') || 'none'}`,
      );
    }
    return process;
  }

  private async headsByProcess(): Promise<Map<string, StreamHead[]>> {
    const owners = this.byLength.map((process) => ({
      process,
      streams: processStreams(process.name),
    }));
    const heads = new Map<string, StreamHead[]>();
    for (const { head } of await scanStreams(this.options.client, this.options.eventsTable)) {
      const owner = owners.find(({ streams }) => streams.owns(head.streamId));
      if (!owner) continue;
      const found = heads.get(owner.process.name);
      if (found) found.push(head);
      else heads.set(owner.process.name, [head]);
    }
    return heads;
  }

  private async load(
    process: AnyProcessManager,
    streamId: string,
  ): Promise<ProcessInstance<unknown>> {
    return foldInstance(process, streamId, await this.options.store.read(streamId));
  }

  private summaryOf(
    process: AnyProcessManager,
    head: StreamHead,
    instance: ProcessInstance<unknown>,
  ): InstanceSummary {
    return {
      instanceId: processStreams(process.name).idOf(head.streamId),
      streamId: head.streamId,
      version: instance.version,
      lastAt: head.lastAt,
      completed: instance.completed,
      state: oneLine(instance.state),
      ...todoOf(instance, this.clock().getTime()),
    };
  }
}

/**
 * The processes named (every declared one when none is) with their instances and the streams
 * their consumers park: what `es consumers` and the studio show.
 */
export async function processOverviews(
  reader: ProcessInstances,
  consumers: ReadonlyMap<string, Pick<ConsumerRuntime, 'name' | 'parking'>>,
  options: { readonly names?: readonly string[]; readonly newest?: number } = {},
): Promise<ProcessOverview[]> {
  const overviews = await reader.overview(options.names, options.newest);
  return Promise.all(
    overviews.map(async (overview) => {
      const consumer = consumers.get(overview.name);
      const parked = consumer ? await consumer.parking.list(consumer.name) : [];
      return { ...overview, parked };
    }),
  );
}
