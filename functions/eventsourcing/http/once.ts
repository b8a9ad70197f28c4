/**
 * Builds a value on first use and keeps it: a Lambda handler module creates its clients once per
 * execution environment, after the environment (table names) is in place.
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
