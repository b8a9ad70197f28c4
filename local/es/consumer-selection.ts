import {
  ProjectionRuntime,
  type ConsumerRuntime,
  type ParkedStream,
  type RedriveOutcome,
} from '../../functions/eventsourcing/hosts';
import { UsageError } from './command';
import type { EsContext } from './context';

/** The consumer named by the command's first argument; every consumer when none is named. */
export async function selectConsumers(
  context: EsContext,
  name: string | undefined,
): Promise<ConsumerRuntime[]> {
  const consumers = await context.consumers();
  if (!name) return [...consumers.values()];
  const runtime = consumers.get(name);
  if (!runtime) {
    throw new UsageError(
      `Unknown consumer '${name}'. Known: ${[...consumers.keys()].join(', ') || 'none'}`,
    );
  }
  return [runtime];
}

/** The one consumer a command needs, found by `select`. */
async function named<Consumer>(
  select: (context: EsContext, name: string) => Promise<Consumer[]>,
  context: EsContext,
  name: string | undefined,
): Promise<Consumer> {
  if (!name) throw new UsageError('It needs a consumer name (see the consumers command).');
  const [consumer] = await select(context, name);
  return consumer!;
}

/** The one consumer a command needs. */
const namedConsumer = (context: EsContext, name: string | undefined) =>
  named(selectConsumers, context, name);

/** The one projection a command needs. */
export async function namedProjection(
  context: EsContext,
  name: string | undefined,
): Promise<ProjectionRuntime> {
  const runtime = await namedConsumer(context, name);
  if (!(runtime instanceof ProjectionRuntime)) {
    throw new UsageError(`It works on projections; ${runtime.name} is a ${runtime.kind}`);
  }
  return runtime;
}

/**
 * What the parked and redrive commands need of a consumer. Every projection and reaction has
 * it, and so has the global log's indexer, which parks streams with a hole.
 */
export interface ParkingConsumer {
  readonly name: string;
  /** Its failing and parked streams. */
  list(): Promise<ParkedStream[]>;
  redrive(streamIds?: readonly string[]): Promise<RedriveOutcome[]>;
}

/** The consumer named (every one when none is), the global log's indexer among them. */
export async function selectParkingConsumers(
  context: EsContext,
  name: string | undefined,
): Promise<ParkingConsumer[]> {
  const { indexer, indexerParking } = context;
  const logIndexer: ParkingConsumer = {
    name: indexerParking.consumer,
    list: () => indexerParking.parking.list(indexerParking.consumer),
    redrive: (streamIds) => indexerParking.redrive(indexer, streamIds),
  };
  if (name === logIndexer.name) return [logIndexer];
  const runtimes = (await selectConsumers(context, name)).map((runtime): ParkingConsumer => ({
    name: runtime.name,
    list: () => runtime.parking.list(runtime.name),
    redrive: (streamIds) => runtime.redrive(streamIds),
  }));
  return name ? runtimes : [...runtimes, logIndexer];
}

/** The one consumer a redrive needs, the global log's indexer included. */
export const namedParkingConsumer = (context: EsContext, name: string | undefined) =>
  named(selectParkingConsumers, context, name);
