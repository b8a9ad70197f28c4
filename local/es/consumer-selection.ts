import { ProjectionRuntime, type ConsumerRuntime } from '../../functions/eventsourcing';
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

/** The one consumer a command needs. */
export async function namedConsumer(
  context: EsContext,
  name: string | undefined,
): Promise<ConsumerRuntime> {
  if (!name) throw new UsageError('It needs a consumer name (see the consumers command).');
  const [runtime] = await selectConsumers(context, name);
  return runtime!;
}

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
