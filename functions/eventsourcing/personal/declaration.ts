import * as z from 'zod';
import { EventSourcingError } from '../errors.js';
import type { EventSchemas } from '../event-schemas.js';

/** Which data fields of an event type are personal, and whose. */
export interface PersonalFields {
  /**
   * The data field naming the data subject (an account's owner, an order's customer). It is not
   * encrypted: it finds the subject's key. Use an identifier, never a name or an address.
   */
  readonly subject: string;
  /**
   * Each personal field (a top-level data field), with the value readers get once its subject
   * is erased: it must fit the field's schema, so erased events still parse.
   */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The personal fields of a catalogue's event types, by type. */
export type PersonalDataDeclaration<Schemas extends EventSchemas> = {
  readonly [Type in keyof Schemas]?: PersonalFields;
};

/** A declaration of personal data that cannot work, with what is wrong. */
export class InvalidPersonalDataError extends EventSourcingError {
  readonly code = 'InvalidPersonalData';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPersonalDataError';
  }
}

/** What is wrong with one type's declaration, if anything. */
function problemsOf(type: string, schema: z.ZodType, fields: PersonalFields): string[] {
  if (!(schema instanceof z.ZodObject)) return [`${type}: personal fields need an object schema`];
  const shape = schema.shape as Record<string, z.ZodType>;
  const subject = shape[fields.subject];
  const problems: string[] = [];
  if (!fields.subject || !subject) {
    problems.push(
      `${type}: personal fields need a subject field of the data (got '${fields.subject}')`,
    );
  } else if (!subject.safeParse('subject-id').success) {
    problems.push(`${type}: the subject field ${fields.subject} must hold a string id`);
  }
  if (Object.keys(fields.fields).length === 0) problems.push(`${type}: no personal field named`);
  for (const [field, replacement] of Object.entries(fields.fields)) {
    const fieldSchema = shape[field];
    if (field === fields.subject) problems.push(`${type}: ${field} is the subject, not personal`);
    else if (!fieldSchema) problems.push(`${type}: ${field} is not a field of its data`);
    else if (!fieldSchema.safeParse(replacement).success) {
      problems.push(`${type}: the replacement of ${field} does not fit its schema`);
    }
  }
  return problems;
}

/**
 * Checks that every declared personal field names a subject field of its type, is a field of
 * its data, and has a replacement that fits its schema; returns the declaration by type.
 */
export function checkPersonalData(
  schemas: ReadonlyMap<string, z.ZodType>,
  declaration: Readonly<Record<string, PersonalFields | undefined>>,
): ReadonlyMap<string, PersonalFields> {
  const problems: string[] = [];
  const checked = new Map<string, PersonalFields>();
  for (const [type, fields] of Object.entries(declaration)) {
    if (!fields) continue;
    const schema = schemas.get(type);
    if (!schema) problems.push(`${type}: personal fields are declared for a type with no schema`);
    else problems.push(...problemsOf(type, schema, fields));
    checked.set(type, fields);
  }
  if (problems.length > 0) {
    throw new InvalidPersonalDataError(`Personal data is declared wrong: ${problems.join('; ')}`);
  }
  return checked;
}
