/**
 * Lambda's event filtering for the local stream runner: a record is delivered when it matches
 * the pattern. The part of the pattern syntax the declared filters use: objects match field by
 * field, an array lists the values a field may have, `{ exists: boolean }` asks for a field's
 * presence or absence.
 */
export type FilterPattern = { readonly [field: string]: FilterPattern | readonly FilterValue[] };
type FilterValue = string | number | boolean | null | { readonly exists: boolean };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function matchesValue(value: unknown, allowed: readonly FilterValue[]): boolean {
  return allowed.some((rule) =>
    isObject(rule) && 'exists' in rule ? (value !== undefined) === rule.exists : value === rule,
  );
}

export function matchesPattern(record: unknown, pattern: FilterPattern): boolean {
  const fields = isObject(record) ? record : {};
  return Object.entries(pattern).every(([field, rule]) =>
    Array.isArray(rule)
      ? matchesValue(fields[field], rule as readonly FilterValue[])
      : matchesPattern(fields[field], rule as FilterPattern),
  );
}
