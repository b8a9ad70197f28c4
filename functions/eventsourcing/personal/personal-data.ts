import { ConfigurationError } from '../declaration/errors.js';
import { CorruptEventError, InvalidEventError } from '../errors.js';
import type { EventCatalogue } from '../event-catalogue.js';
import type { RecordedEvent } from '../types.js';
import type { PersonalFields } from './declaration.js';
import { isSealedValue, open, seal, type SealedValue } from './envelope.js';
import type { SubjectKeys } from './subject-keys.js';

type Data = Record<string, unknown>;

/** An event on its way to the store: its type and its data, checked by the catalogue. */
interface EventToSeal {
  readonly type: string;
  readonly data: Data;
}

/** Where a stored value was sealed: `<streamId>#<version>#<field>`. */
export const sealedContext = (streamId: string, version: number, field: string) =>
  `${streamId}#${version}#${field}`;

/** The subject of an event's personal fields, and which of them it holds. */
function personalPart(
  event: EventToSeal,
  fields: PersonalFields | undefined,
  index: number,
): { subject: string; present: string[] } | undefined {
  if (!fields) return undefined;
  const present = Object.keys(fields.fields).filter((field) => event.data[field] !== undefined);
  if (present.length === 0) return undefined;
  const subject = event.data[fields.subject];
  if (typeof subject !== 'string' || subject === '') {
    throw new InvalidEventError(
      `events[${index}].data.${fields.subject} must name the data subject of ${present.join(', ')}`,
      `events[${index}].data.${fields.subject}`,
    );
  }
  return { subject, present };
}

/** The top-level sealed values of an event's data, by field. */
const sealedFields = (data: Data): [string, SealedValue][] =>
  Object.entries(data).filter((entry): entry is [string, SealedValue] => isSealedValue(entry[1]));

/** The stored data each revealed event was read from: its sealed values, for read models. */
const storedValues = new WeakMap<object, Data>();

/**
 * An event's data as it is stored: its personal fields still sealed, for a projection to keep
 * them so in its read model (the `ReadModelReader` opens them, with replacements once their
 * subject is erased). The type is the event's own: personal fields hold sealed values in it.
 */
export const storedData = <Event extends RecordedEvent>(event: Event): Event['data'] =>
  (storedValues.get(event) as Event['data'] | undefined) ?? event.data;

/**
 * The event as a reader without its subjects' keys sees it: each sealed value replaced by its
 * declared replacement, as if its subject were erased. Events still parse, and a function that
 * was never given the keys sees no personal data.
 */
export function concealed<Event extends RecordedEvent>(event: Event): Event {
  const sealed = sealedFields(event.data);
  if (sealed.length === 0) return event;
  const data: Data = { ...event.data };
  for (const [field, value] of sealed) data[field] = value.$sealed.r;
  return withStoredDataOf(event, { ...event, data });
}

/** `to`, known to be stored as `from` is (its sealed values kept for `storedData`). */
export function withStoredDataOf<Event extends RecordedEvent>(
  from: RecordedEvent,
  to: Event,
): Event {
  const stored =
    storedValues.get(from) ?? (sealedFields(from.data).length > 0 ? from.data : undefined);
  if (stored && to !== from) storedValues.set(to, stored);
  return to;
}

/** A stored event, revealed, or why it could not be. */
export interface RevealedEvent<Event extends RecordedEvent> {
  readonly event: Event;
  readonly error?: CorruptEventError;
}

/**
 * New events as the store writes them after version `base`: their personal fields sealed by
 * `personalData`. A store without it refuses personal values rather than keep them in clear.
 */
export async function sealPersonalData<Event extends EventToSeal>(
  personalData: PersonalData | undefined,
  catalogue: Pick<EventCatalogue, 'personal'> | undefined,
  after: { readonly streamId: string; readonly base: number },
  events: readonly Event[],
): Promise<readonly Event[]> {
  if (!catalogue || catalogue.personal.size === 0) return events;
  const at = { streamId: after.streamId, firstVersion: after.base + 1 };
  if (personalData) return personalData.seal(catalogue, at, events);
  refuseUnsealed(catalogue, events);
  return events;
}

/** Refuses events holding personal values, for a store that has no keys to seal them with. */
export function refuseUnsealed(
  catalogue: Pick<EventCatalogue, 'personal'> | undefined,
  events: readonly EventToSeal[],
): void {
  if (!catalogue || catalogue.personal.size === 0) return;
  const personal = events.find((event, index) =>
    personalPart(event, catalogue.personal.get(event.type), index),
  );
  if (personal) {
    throw new ConfigurationError(
      `${personal.type} holds personal data, and this store has no subject keys to encrypt it (personalData)`,
    );
  }
}

/**
 * Personal data encrypted per data subject (crypto-shredding). On append, each declared personal
 * field is sealed (AES-256-GCM, authenticated with its subject, stream, version and field) under
 * its subject's key; on every read it is opened again, or replaced by its declared replacement
 * once the subject's key is destroyed. Hashes cover the sealed bytes, so history keeps verifying.
 */
export class PersonalData {
  constructor(readonly keys: SubjectKeys) {}

  /** New events with their personal fields sealed, to be appended from `firstVersion` on. */
  async seal<Event extends EventToSeal>(
    catalogue: Pick<EventCatalogue, 'personal'>,
    at: { readonly streamId: string; readonly firstVersion: number },
    events: readonly Event[],
  ): Promise<Event[]> {
    const parts = events.map((event, index) =>
      personalPart(event, catalogue.personal.get(event.type), index),
    );
    const subjects = parts.flatMap((part) => (part ? [part.subject] : []));
    if (subjects.length === 0) return [...events];
    const keys = await this.keys.forSealing(subjects, at.streamId);
    return events.map((event, index) => {
      const part = parts[index];
      if (!part) return event;
      const replacements = catalogue.personal.get(event.type)!.fields;
      const data: Data = { ...event.data };
      for (const field of part.present) {
        data[field] = seal(keys.get(part.subject)!, data[field], {
          subject: part.subject,
          context: sealedContext(at.streamId, at.firstVersion + index, field),
          replacement: replacements[field],
        });
      }
      return { ...event, data };
    });
  }

  /**
   * Stored events with their sealed values opened, or replaced for an erased subject;
   * `CorruptEventError` for a sealed value that is not where it was sealed, or does not open.
   */
  async reveal<Event extends RecordedEvent>(events: readonly Event[]): Promise<Event[]> {
    return (await this.revealEach(events)).map(({ event, error }) => {
      if (error) throw error;
      return event;
    });
  }

  /** Like `reveal`, each event on its own: one that does not open comes with its error. */
  async revealEach<Event extends RecordedEvent>(
    events: readonly Event[],
  ): Promise<RevealedEvent<Event>[]> {
    const subjects = events.flatMap((event) =>
      sealedFields(event.data).map(([, sealed]) => sealed.$sealed.s),
    );
    if (subjects.length === 0) return events.map((event) => ({ event }));
    const keys = await this.keys.forReading(subjects);
    return events.map((event) => {
      const sealed = sealedFields(event.data);
      if (sealed.length === 0) return { event };
      const data: Data = { ...event.data };
      try {
        for (const [field, value] of sealed) {
          data[field] = this.openField(event, field, value, keys);
        }
      } catch (error) {
        if (error instanceof CorruptEventError) return { event, error };
        throw error;
      }
      const revealed = { ...event, data };
      storedValues.set(revealed, event.data);
      return { event: revealed };
    });
  }

  /** A value with every sealed value in it opened, at any depth (read-model items, snapshots). */
  async revealDeep(value: unknown): Promise<unknown> {
    const subjects: string[] = [];
    walk(value, (sealed) => subjects.push(sealed.$sealed.s));
    if (subjects.length === 0) return value;
    const keys = await this.keys.forReading(subjects);
    return replace(value, (sealed) => {
      const key = keys.get(sealed.$sealed.s);
      return key ? open(key, sealed) : sealed.$sealed.r;
    });
  }

  /** Seals a whole value (a snapshot's state) under one subject's key. */
  async sealValue(
    subject: string,
    value: unknown,
    where: { readonly streamId: string; readonly context: string },
  ): Promise<SealedValue> {
    const keys = await this.keys.forSealing([subject], where.streamId);
    return seal(keys.get(subject)!, value, { subject, context: where.context, replacement: null });
  }

  private openField(
    event: RecordedEvent,
    field: string,
    value: SealedValue,
    keys: ReadonlyMap<string, Uint8Array | undefined>,
  ): unknown {
    const corrupt = (reason: string) =>
      new CorruptEventError(
        event.streamId,
        event.version,
        event.eventId,
        event.type,
        `data.${field}`,
        reason,
      );
    if (value.$sealed.c !== sealedContext(event.streamId, event.version, field)) {
      throw corrupt(`a sealed value of ${value.$sealed.c}, not of this event`);
    }
    const key = keys.get(value.$sealed.s);
    if (!key) return value.$sealed.r;
    try {
      return open(key, value);
    } catch {
      throw corrupt('its sealed value does not open with its subject key');
    }
  }
}

/** Calls `visit` with every sealed value inside `value`, at any depth. */
export function walk(value: unknown, visit: (sealed: SealedValue) => void): void {
  if (isSealedValue(value)) visit(value);
  else if (Array.isArray(value)) value.forEach((item) => walk(item, visit));
  else if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach((item) => walk(item, visit));
  }
}

/** `value` with every sealed value inside it, at any depth, replaced by what `by` makes of it. */
export function replace(value: unknown, by: (sealed: SealedValue) => unknown): unknown {
  if (isSealedValue(value)) return by(value);
  if (Array.isArray(value)) return value.map((item) => replace(item, by));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replace(item, by)]));
  }
  return value;
}
