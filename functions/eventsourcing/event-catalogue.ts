import type { z } from 'zod';
import { CorruptEventError, InvalidEventError } from './errors.js';
import { isTombstone } from './tombstones.js';
import type { EventSchemas, RecordedEventOf } from './event-schemas.js';
import type { NewEvent, RecordedEvent } from './types.js';
import {
  checkPersonalData,
  type PersonalDataDeclaration,
  type PersonalFields,
} from './personal/declaration.js';
import { Upcasters, type Upcaster } from './upcasting.js';
import { InvalidDeclarationError } from './declaration/errors.js';
import { concealed, withStoredDataOf } from './personal/personal-data.js';

/** Dotted path of a zod issue inside a value, e.g. `items[0].quantity`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** The first thing wrong with `value` under `schema`, or `undefined` when it fits. */
function firstIssue(
  schema: z.ZodType,
  value: unknown,
): { ok: true; data: Record<string, unknown> } | { ok: false; path: string; message: string } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data as Record<string, unknown> };
  const issue = result.error.issues[0];
  const path = issue ? fieldPath(issue.path) : '';
  return { ok: false, path, message: issue?.message ?? 'does not fit the schema' };
}

/** Upcasters of a catalogue: per event type, the step from each older schema version. */
export type CatalogueUpcasters<Schemas extends EventSchemas> = {
  readonly [Type in keyof Schemas]?: Readonly<Record<number, Upcaster>>;
};

/** An event parsed by a catalogue, or the stored event with the reason it could not be. */
export type ParsedOrCorrupt<Event extends RecordedEvent> =
  | { readonly event: Event; readonly error?: undefined }
  | { readonly event: RecordedEvent; readonly error: CorruptEventError };

type EventOfCatalogue<C> = C extends EventCatalogue<infer Event> ? Event : never;

/**
 * Every event type a store may hold, each with ONE runtime schema (its data at the current
 * schema version) and the upcasters that lift older versions to it. The event store checks new
 * events against it before writing anything, and upcasts then parses every event it reads, so
 * deciders and projections only ever see typed events that fit their schema.
 *
 * Stream consumers that must fail one event at a time (instead of a whole read) use `tryParse`.
 */
export class EventCatalogue<Event extends RecordedEvent = RecordedEvent> {
  private constructor(
    private readonly schemas: ReadonlyMap<string, z.ZodType>,
    readonly upcasters: Upcasters,
    /** The personal fields of each type that has any (encrypted per subject when stored). */
    readonly personal: ReadonlyMap<string, PersonalFields> = new Map(),
  ) {}

  /**
   * A catalogue of one domain's event types: their schemas, the upcasters lifting older schema
   * versions, and which fields are personal data (see `PersonalFields`).
   */
  static of<Schemas extends EventSchemas>(
    schemas: Schemas,
    upcasters: CatalogueUpcasters<Schemas> = {},
    personal: PersonalDataDeclaration<Schemas> = {},
  ): EventCatalogue<RecordedEventOf<Schemas>> {
    for (const type of Object.keys(upcasters)) {
      if (!Object.hasOwn(schemas, type)) {
        throw new InvalidDeclarationError([
          `Upcasters are declared for '${type}', which has no schema`,
        ]);
      }
    }
    const byType = new Map<string, z.ZodType>(Object.entries(schemas));
    return new EventCatalogue<RecordedEventOf<Schemas>>(
      byType,
      new Upcasters(upcasters as Record<string, Readonly<Record<number, Upcaster>>>),
      checkPersonalData(byType, personal),
    );
  }

  /** The event types of several catalogues together (a store that writes to several domains). */
  static combine<Catalogues extends readonly EventCatalogue<RecordedEvent>[]>(
    ...catalogues: Catalogues
  ): EventCatalogue<EventOfCatalogue<Catalogues[number]>> {
    const schemas = new Map<string, z.ZodType>();
    for (const catalogue of catalogues) {
      for (const [type, schema] of catalogue.schemas) {
        if (schemas.has(type)) {
          throw new InvalidDeclarationError([`Event type '${type}' is declared twice`]);
        }
        schemas.set(type, schema);
      }
    }
    return new EventCatalogue(
      schemas,
      Upcasters.combine(...catalogues.map((catalogue) => catalogue.upcasters)),
      new Map(catalogues.flatMap((catalogue) => [...catalogue.personal])),
    );
  }

  get types(): readonly string[] {
    return [...this.schemas.keys()];
  }

  has(type: string): boolean {
    return this.schemas.has(type);
  }

  /** The schema version new events of this type are written at. */
  currentVersion(type: string): number {
    return this.upcasters.currentVersion(type);
  }

  /**
   * What is stored for a new event: its data as the type's current schema parses it, at the
   * current schema version. Refuses an unknown type, data that does not fit, or an explicit
   * older schema version (old versions are only ever read and upcast, never written).
   */
  toStore(
    event: NewEvent,
    index: number,
  ): { data: Record<string, unknown>; schemaVersion: number } {
    const at = `events[${index}]`;
    const schema = this.schemas.get(event.type);
    if (!schema) {
      throw new InvalidEventError(
        `${at}.type '${event.type}' is not a known event type`,
        `${at}.type`,
      );
    }
    const schemaVersion = this.currentVersion(event.type);
    if (event.schemaVersion !== undefined && event.schemaVersion !== schemaVersion) {
      throw new InvalidEventError(
        `${at}.schemaVersion must be ${schemaVersion}, the current version of '${event.type}'`,
        `${at}.schemaVersion`,
      );
    }
    const parsed = firstIssue(schema, event.data);
    if (!parsed.ok) {
      const field = parsed.path ? `${at}.data.${parsed.path}` : `${at}.data`;
      throw new InvalidEventError(
        `${field} does not fit the schema of '${event.type}': ${parsed.message}`,
        field,
      );
    }
    return { data: parsed.data, schemaVersion };
  }

  /**
   * A stored event upcast to its type's current schema version and parsed by its schema;
   * throws `CorruptEventError` naming the stream, version and field when it cannot be.
   */
  parse(event: RecordedEvent): Event {
    const result = this.tryParse(event);
    if (result.error) throw result.error;
    return result.event;
  }

  /** Like `parse`, returning the reason instead of throwing it. */
  tryParse(event: RecordedEvent): ParsedOrCorrupt<Event> {
    const corrupt = (field: string, reason: string) => ({
      event,
      error: new CorruptEventError(
        event.streamId,
        event.version,
        event.eventId,
        event.type,
        field,
        reason,
      ),
    });
    // Every stream may end with its tombstone; readers stop there (see `tombstones.ts`).
    if (isTombstone(event)) return { event: event as Event };
    const schema = this.schemas.get(event.type);
    if (!schema) return corrupt('type', `'${event.type}' is not a known event type`);
    const current = this.currentVersion(event.type);
    if (event.schemaVersion > current) {
      // Written by a newer release: this reader cannot know what its data means.
      return corrupt(
        'schemaVersion',
        `schema version ${event.schemaVersion} is newer than the current ${current}`,
      );
    }
    const visible = concealed(event);
    let upcast: RecordedEvent;
    try {
      upcast = this.upcasters.upcast(visible);
    } catch (error) {
      return corrupt('schemaVersion', (error as Error).message);
    }
    const parsed = firstIssue(schema, upcast.data);
    if (!parsed.ok) return corrupt(parsed.path ? `data.${parsed.path}` : 'data', parsed.message);
    // The schema of `event.type` has just accepted the data: this is the typed event.
    return { event: withStoredDataOf(event, { ...upcast, data: parsed.data } as Event) };
  }
}
