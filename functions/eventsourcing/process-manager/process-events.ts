import * as z from 'zod';
import { defineEvents, type DefinedEvents } from '../define-events.js';
import type { RecordedEventOf } from '../event-schemas.js';

const document = z.looseObject({ type: z.string() });

/**
 * The events of process instances' streams (`process-<name>-<instance>`), one catalogue for
 * every process: an input applied with the outputs decided on it, and each command done (in
 * the same transaction as the command's events).
 */
export const processEvents = defineEvents({
  streamPrefix: 'process-',
  schemas: {
    ProcessInputApplied: z.object({
      /** The input's identity: an event id, a timer's scheduling, a refused command. */
      inputId: z.string().min(1),
      input: document,
      outputs: z.array(document),
    }),
    ProcessCommandDone: z.object({ commandId: z.string().min(1) }),
  },
});

export type ProcessStreamEvent = RecordedEventOf<(typeof processEvents)['schemas']>;

/** The stream of the instance `instanceId` of the process `name`. */
export const instanceStreamId = (name: string, instanceId: string): string =>
  processEvents.streamId(`${name}-${instanceId}`);

/** The instances of the process `name`: their stream ids and instance ids. */
export function processStreams(name: string): Pick<DefinedEvents<never>, 'owns' | 'idOf'> {
  const prefix = processEvents.streamId(`${name}-`);
  const owns = (streamId: string) => streamId.startsWith(prefix) && streamId.length > prefix.length;
  return { owns, idOf: (streamId) => streamId.slice(prefix.length) };
}
