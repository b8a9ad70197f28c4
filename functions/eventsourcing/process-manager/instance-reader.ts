import type { EventStore } from '../event-store.js';
import type { RecordedEvent } from '../types.js';
import type { ProcessManager } from './definition.js';
import { evolveInstance, newInstance, type ProcessInstance } from './instance.js';
import { instanceStreamId, type ProcessStreamEvent } from './process-events.js';

/** The instance its stream's events fold into. */
export function foldInstance<Event extends RecordedEvent, State>(
  definition: Pick<ProcessManager<Event, State>, 'initialState' | 'evolve'>,
  streamId: string,
  events: readonly RecordedEvent[],
): ProcessInstance<State> {
  return events.reduce(
    (instance, event) => evolveInstance(definition, instance, event as ProcessStreamEvent),
    newInstance(streamId, definition.initialState),
  );
}

/**
 * The instance `instanceId` as its stream holds it now, read from `store` (whose catalogue
 * holds the process events): reading only, nothing is sent or scheduled.
 */
export async function loadInstance<Event extends RecordedEvent, State>(
  store: Pick<EventStore, 'read'>,
  definition: Pick<ProcessManager<Event, State>, 'name' | 'initialState' | 'evolve'>,
  instanceId: string,
): Promise<ProcessInstance<State>> {
  const streamId = instanceStreamId(definition.name, instanceId);
  return foldInstance(definition, streamId, await store.read(streamId));
}
