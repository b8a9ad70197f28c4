import { ConfigurationError } from './errors';

/** Environment variable through which a function learns the physical name of a table. */
export function tableNameEnvVar(table: string): string {
  return `TABLE_${table.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** Physical table name handed to a function through its environment. */
export function tableNameFromEnv(table: string, env: NodeJS.ProcessEnv = process.env): string {
  const variable = tableNameEnvVar(table);
  const name = env[variable];
  if (!name) {
    throw new ConfigurationError(
      `Environment variable ${variable} (name of the ${table} table) is not set`,
    );
  }
  return name;
}

/** Physical table names for a local stack or test run: each logical name behind a prefix. */
export function prefixedTableNames<TableKey extends string>(
  tables: Readonly<Record<TableKey, unknown>>,
  prefix: string,
): Record<TableKey, string> {
  return Object.fromEntries(Object.keys(tables).map((key) => [key, `${prefix}${key}`])) as Record<
    TableKey,
    string
  >;
}

/** The environment variables that tell functions the physical table names. */
export function tableEnvironment(names: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(names).map(([key, name]) => [tableNameEnvVar(key), name]),
  );
}
