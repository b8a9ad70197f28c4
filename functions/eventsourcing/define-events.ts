import { InvalidEventError } from './errors.js';
import { EventCatalogue, type CatalogueUpcasters } from './event-catalogue.js';
import type { EventSchemas, RecordedEventOf } from './event-schemas.js';
import type { PersonalDataDeclaration } from './personal/declaration.js';
import type { RecordedEvent } from './types.js';

/**
 * One aggregate's events: its catalogue, the ids of its streams, and the parse of its events.
 * Its functions hold no `this`, so they can be passed on as they are (`handles: x.types`,
 * `idOf: x.idOf`).
 */
export interface DefinedEvents<Schemas extends EventSchemas> {
  /** The schemas, as given (for `NewEventOf<typeof x.schemas>` and `RecordedEventOf<…>`). */
  readonly schemas: Schemas;
  /** Every event type with its schema and upcasters: what the store writes and reads with. */
  readonly catalogue: EventCatalogue<RecordedEventOf<Schemas>>;
  /** The event types, in declaration order. */
  readonly types: readonly (keyof Schemas & string)[];
  /** The id of the stream of the aggregate `id`: the prefix and the id. */
  readonly streamId: (id: string) => string;
  /** The aggregate id of one of its streams; `InvalidEventError` for another stream. */
  readonly idOf: (streamId: string) => string;
  /** Whether a stream is one of this aggregate's. */
  readonly owns: (streamId: string) => boolean;
  /** A stored event upcast and parsed; `CorruptEventError` when it does not fit its schema. */
  readonly parse: (event: RecordedEvent) => RecordedEventOf<Schemas>;
}

/**
 * Declares one aggregate's events in one call: the zod schema of each type (its data at the
 * current schema version), the upcasters lifting older versions (none by default), the personal
 * fields of each type with their subject and replacements (none by default; see
 * `PersonalFields`), and the prefix of its stream ids (`account-` makes `account-<id>`).
 */
export function defineEvents<Schemas extends EventSchemas>(definition: {
  readonly streamPrefix: string;
  readonly schemas: Schemas;
  readonly upcasters?: CatalogueUpcasters<Schemas>;
  readonly personal?: PersonalDataDeclaration<Schemas>;
}): DefinedEvents<Schemas> {
  const { streamPrefix, schemas } = definition;
  if (streamPrefix === '')
    throw new InvalidEventError('streamPrefix must not be empty', 'streamPrefix');
  const catalogue = EventCatalogue.of(schemas, definition.upcasters ?? {}, definition.personal);
  const owns = (streamId: string) =>
    streamId.startsWith(streamPrefix) && streamId.length > streamPrefix.length;
  return {
    schemas,
    catalogue,
    types: Object.keys(schemas),
    streamId: (id) => `${streamPrefix}${id}`,
    owns,
    idOf: (streamId) => {
      if (!owns(streamId)) {
        throw new InvalidEventError(
          `'${streamId}' is not a stream of this aggregate (${streamPrefix}…)`,
          'streamId',
        );
      }
      return streamId.slice(streamPrefix.length);
    },
    parse: (event) => catalogue.parse(event),
  };
}
