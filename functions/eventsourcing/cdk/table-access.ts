import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { TableAccess } from '../declaration/index.js';
import type { DeclaredTable } from './tables.js';
import { InvalidDeclarationError } from '../declaration/errors.js';

/**
 * The exact DynamoDB actions behind each declared access level, and only actions some function
 * calls. `append` is what the event store needs (load, conditional puts, transactions of puts,
 * and the condition check that records a command deciding no events against an unchanged
 * stream) and no more: nothing that could change or remove an item once written.
 */
export const tableActions: Readonly<Record<TableAccess, readonly string[]>> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  append: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ],
  appendAndScan: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:Scan',
  ],
  readWriteAndScan: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:Scan',
  ],
  archive: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:DeleteItem',
    'dynamodb:Scan',
  ],
};

/** The table's ARN and its declared indexes' ARNs, which queries may use. */
function resourcesOf(table: DeclaredTable): string[] {
  const indexes = (table.declaration.globalIndexes ?? []).map(
    (index) => `${table.table.tableArn}/index/${index.indexName}`,
  );
  return [table.table.tableArn, ...indexes];
}

/**
 * Grants exactly the actions of `access` on one table (and its declared indexes), each index
 * named: no wildcard resources, no broader CDK grant helpers.
 */
export function grantTableAccess(grantee: IGrantable, table: DeclaredTable, access: TableAccess) {
  if (access.startsWith('readWrite') && table.declaration.appendOnly) {
    throw new InvalidDeclarationError([
      `Table ${table.key} is append-only: readWrite access cannot be granted`,
    ]);
  }
  if (access === 'archive' && !table.declaration.appendOnly) {
    throw new InvalidDeclarationError([
      `Table ${table.key} is not append-only: archive access is for append-only tables`,
    ]);
  }
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...tableActions[access]],
      resources: resourcesOf(table),
    }),
  );
}
