import { RemovalPolicy, type CfnResource } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  StreamViewType,
  TableV2,
  type Attribute,
} from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { KeyAttribute, TableDeclaration } from '../declaration/index.js';
import { APPEND_ONLY_METADATA } from './append-only-check.js';
import { InvalidDeclarationError } from '../declaration/errors.js';

export interface DeclaredTable {
  readonly key: string;
  readonly declaration: TableDeclaration;
  readonly table: TableV2;
}

const attributeTypes = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
} as const;

const attribute = (key: KeyAttribute): Attribute => ({
  name: key.name,
  type: attributeTypes[key.type],
});

/** What no principal may do to an append-only table's items, whatever its own policies allow. */
export const ITEM_CHANGING_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
  'dynamodb:UpdateTimeToLive',
] as const;

/**
 * The resource policy of an append-only table: an explicit deny outweighs any allow in the
 * account, so no role, user or console session can update or delete an item, or make items
 * expire. Table-level changes stay with CloudFormation (deletion protection guards deletion).
 */
const appendOnlyPolicy = () =>
  new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'EventsAreNeverChangedOrDeleted',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: [...ITEM_CHANGING_ACTIONS],
        // In a table's own policy, `*` is the table (its ARN would make the table depend on itself).
        resources: ['*'],
      }),
    ],
  });

/**
 * Every declared table, on demand. All have point-in-time recovery. The source of truth is also
 * protected from deletion and retained when the stack goes; derived tables (snapshots, read
 * models, …) can be rebuilt from it, so they leave with the stack. Append-only tables are marked
 * in the template so the append-only check can find every policy that reaches them.
 */
export class SystemTables extends Construct {
  readonly byKey: ReadonlyMap<string, DeclaredTable>;

  constructor(scope: Construct, id: string, tables: Readonly<Record<string, TableDeclaration>>) {
    super(scope, id);
    const byKey = new Map<string, DeclaredTable>();
    for (const [key, declaration] of Object.entries(tables)) {
      const sourceOfTruth = declaration.durability === 'source-of-truth';
      const table = new TableV2(this, key, {
        partitionKey: attribute(declaration.partitionKey),
        ...(declaration.sortKey ? { sortKey: attribute(declaration.sortKey) } : {}),
        billing: Billing.onDemand(),
        pointInTimeRecoverySpecification: {
          pointInTimeRecoveryEnabled: true,
          ...(declaration.recoveryPeriodDays
            ? { recoveryPeriodInDays: declaration.recoveryPeriodDays }
            : {}),
        },
        deletionProtection: sourceOfTruth,
        removalPolicy: sourceOfTruth ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        ...(declaration.stream ? { dynamoStream: StreamViewType[declaration.stream] } : {}),
        ...(declaration.timeToLiveAttribute
          ? { timeToLiveAttribute: declaration.timeToLiveAttribute }
          : {}),
        ...(declaration.appendOnly ? { resourcePolicy: appendOnlyPolicy() } : {}),
        globalSecondaryIndexes: (declaration.globalIndexes ?? []).map((index) => ({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        })),
      });
      if (declaration.appendOnly) {
        (table.node.defaultChild as CfnResource).addMetadata(APPEND_ONLY_METADATA, true);
      }
      byKey.set(key, { key, declaration, table });
    }
    this.byKey = byKey;
  }

  get(key: string): DeclaredTable {
    const table = this.byKey.get(key);
    if (!table) throw new InvalidDeclarationError([`Table ${key} is not declared`]);
    return table;
  }
}
