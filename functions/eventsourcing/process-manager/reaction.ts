import { ReactionFailedAt, type Reaction } from '../consumers/reaction.js';
import type { RecordedEvent } from '../types.js';
import type { EventInput, ProcessInput, ProcessManager, ProcessOutput } from './definition.js';
import { processEvents, processStreams } from './process-events.js';
import type { ProcessManagerRuntime } from './runtime.js';

/** An event as a process's input: what its stream records of it. */
export const eventInput = <Event extends RecordedEvent>(event: Event): EventInput<Event> => ({
  type: event.type,
  data: event.data,
  streamId: event.streamId,
  version: event.version,
  eventId: event.eventId,
  at: event.recordedAt,
});

/** The event type of an instance's record that its reaction resumes from. */
const APPLIED = 'ProcessInputApplied';

/**
 * A process manager as a stream reaction: each event it subscribes to is its instance's input;
 * each input its instances record comes back to it, to finish what that step left (commands
 * not yet sent, timers not yet scheduled) after a crash. A failing event stops the stream there
 * (`ReactionFailedAt`): the host retries it and, failing again, parks it with its reason.
 */
export function processReaction<Event extends RecordedEvent, State>(
  definition: ProcessManager<Event, State>,
  runtime: () => ProcessManagerRuntime<Event, State>,
): Reaction<Event> {
  const own = processStreams(definition.name);
  return {
    name: definition.name,
    handles: [...definition.inputs, APPLIED],
    async react(events) {
      for (const event of events) {
        try {
          await reactTo(event);
        } catch (error) {
          throw new ReactionFailedAt(event, error);
        }
      }
    },
  };

  async function reactTo(event: Event): Promise<void> {
    if (processEvents.owns(event.streamId)) {
      if (!own.owns(event.streamId) || event.type !== APPLIED) return;
      const { outputs } = event.data as { outputs: ProcessOutput[] };
      await runtime().resume(own.idOf(event.streamId), outputs);
      return;
    }
    const input = eventInput(event);
    const instanceId = definition.instanceOf(input);
    if (instanceId !== undefined)
      await runtime().receive(instanceId, input as ProcessInput<Event>, event);
  }
}
