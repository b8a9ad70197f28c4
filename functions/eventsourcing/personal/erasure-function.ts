import type { FunctionDeclaration } from '../declaration/functions.js';
import type { TableDeclaration } from '../declaration/tables.js';

/**
 * The function serving `POST /subjects/{subjectId}/erasure` (its `entry` exports
 * `erasureHandler`): it appends to the erasure ledger and scans the events for clear legacy
 * values, destroys data keys, drops snapshots, and scrubs every read model of `tables`.
 */
export function erasureFunction(
  tables: Readonly<Record<string, TableDeclaration>>,
  entry: string,
): FunctionDeclaration {
  const readModels = Object.keys(tables).filter((key) => tables[key]!.readModel);
  return {
    description:
      "POST /subjects/{subjectId}/erasure: erases a data subject's personal data (operators and IAM callers).",
    entry,
    trigger: 'http',
    routes: [
      {
        route: 'POST /subjects/{subjectId}/erasure',
        example: { params: { subjectId: 'alice' }, body: { reason: 'GDPR art. 17 request #1234' } },
      },
    ],
    // API Gateway answers after 30 s at most: a larger history is erased from the CLI.
    memoryMb: 512,
    timeoutSeconds: 29,
    tables: {
      events: 'appendAndScan',
      snapshots: 'readWrite',
      dataKeys: 'readWrite',
      ...Object.fromEntries(readModels.map((key) => [key, 'readWriteAndScan' as const])),
    },
  };
}
