import type { z } from 'zod';
import type { NewEvent, RecordedEvent } from './types.js';

/** A domain's event types, each with the zod schema of its data at the current schema version. */
export type EventSchemas = Readonly<Record<string, z.ZodType<Record<string, unknown>>>>;

type EventTypeOf<Schemas extends EventSchemas> = keyof Schemas & string;

/** The union of a domain's events as deciders produce them, typed by their schemas. */
export type NewEventOf<Schemas extends EventSchemas> = {
  [Type in EventTypeOf<Schemas>]: NewEvent<Type, z.infer<Schemas[Type]>>;
}[EventTypeOf<Schemas>];

/** The union of a domain's events as stored, typed by their schemas. */
export type RecordedEventOf<Schemas extends EventSchemas> = {
  [Type in EventTypeOf<Schemas>]: RecordedEvent<Type, z.infer<Schemas[Type]>>;
}[EventTypeOf<Schemas>];
