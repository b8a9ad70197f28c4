import { RemovalPolicy, Stack, type CfnResource } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  StreamViewType,
  TableV2,
  type Attribute,
  type TablePropsV2,
} from 'aws-cdk-lib/aws-dynamodb';
import {
  AnyPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
  type CfnRole,
  type Role,
} from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { KeyAttribute, TableDeclaration } from '../declaration/index.js';
import { APPEND_ONLY_METADATA, ARCHIVER_METADATA } from './append-only-check.js';
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

/** The one item change an archiver may make: deleting what its archive already holds. */
const ARCHIVER_DELETE = 'dynamodb:DeleteItem';

const denyToAll = (sid: string, actions: readonly string[]) =>
  new PolicyStatement({
    sid,
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: [...actions],
    // In a table's own policy, `*` is the table (its ARN would make the table depend on itself).
    resources: ['*'],
  });

/**
 * The resource policy of an append-only table: an explicit deny outweighs any allow in the
 * account, so no role, user or console session can update or delete an item, or make items
 * expire. Table-level changes stay with CloudFormation (deletion protection guards deletion).
 * An archived table denies DeleteItem in a statement of its own, which exempts its archiver's
 * role alone (`SystemTables.letArchiverDelete`).
 */
function appendOnlyPolicy(archived: boolean) {
  if (!archived) {
    return {
      document: new PolicyDocument({
        statements: [denyToAll('EventsAreNeverChangedOrDeleted', ITEM_CHANGING_ACTIONS)],
      }),
    };
  }
  const deletes = denyToAll('OnlyTheArchiverDeletesArchivedEvents', [ARCHIVER_DELETE]);
  const others = ITEM_CHANGING_ACTIONS.filter((action) => action !== ARCHIVER_DELETE);
  return {
    document: new PolicyDocument({
      statements: [denyToAll('EventsAreNeverChangedOrDeleted', others), deletes],
    }),
    deletes,
  };
}

/** A declared table's keys, indexes, stream, TTL, billing, recovery and protection. */
function tableProps(declaration: TableDeclaration): TablePropsV2 {
  const sourceOfTruth = declaration.durability === 'source-of-truth';
  return {
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
    globalSecondaryIndexes: (declaration.globalIndexes ?? []).map((index) => ({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
    })),
  };
}

/**
 * Every declared table, on demand. All have point-in-time recovery. The source of truth is also
 * protected from deletion and retained when the stack goes; derived tables (snapshots, read
 * models, …) can be rebuilt from it, so they leave with the stack. Append-only tables are marked
 * in the template so the append-only check can find every policy that reaches them.
 */
export class SystemTables extends Construct {
  readonly byKey: ReadonlyMap<string, DeclaredTable>;
  /** The DeleteItem deny of each archived table, until its archiver's role is exempted. */
  private readonly archiverDeletes = new Map<string, PolicyStatement>();

  /** `archived`: the append-only tables a function archives (`archive` access). */
  constructor(
    scope: Construct,
    id: string,
    tables: Readonly<Record<string, TableDeclaration>>,
    archived: ReadonlySet<string> = new Set(),
  ) {
    super(scope, id);
    const byKey = new Map<string, DeclaredTable>();
    for (const [key, declaration] of Object.entries(tables)) {
      const policy = declaration.appendOnly ? appendOnlyPolicy(archived.has(key)) : undefined;
      if (policy?.deletes) this.archiverDeletes.set(key, policy.deletes);
      const table = new TableV2(this, key, {
        ...tableProps(declaration),
        ...(policy ? { resourcePolicy: policy.document } : {}),
      });
      if (declaration.appendOnly) {
        (table.node.defaultChild as CfnResource).addMetadata(APPEND_ONLY_METADATA, true);
      }
      byKey.set(key, { key, declaration, table });
    }
    this.byKey = byKey;
    this.node.addValidation({
      validate: () =>
        [...this.archiverDeletes.keys()].map(
          (key) => `Table ${key} is archived, but no archiver role may delete its items`,
        ),
    });
  }

  /**
   * Exempts `role` alone from the DeleteItem deny of an archived table, and marks the role in
   * the template as that table's archiver, the one role the append-only check lets delete.
   */
  letArchiverDelete(key: string, role: Role): void {
    const deletes = this.archiverDeletes.get(key);
    if (!deletes) {
      throw new InvalidDeclarationError([
        `Table ${key} has no archiver to exempt (or has one already): ${role.node.path}`,
      ]);
    }
    deletes.addCondition('ArnNotEquals', { 'aws:PrincipalArn': role.roleArn });
    this.archiverDeletes.delete(key);
    const stack = Stack.of(this);
    const table = this.get(key).table.node.defaultChild as CfnResource;
    (role.node.defaultChild as CfnRole).addMetadata(
      ARCHIVER_METADATA,
      stack.resolve(stack.getLogicalId(table)),
    );
  }

  get(key: string): DeclaredTable {
    const table = this.byKey.get(key);
    if (!table) throw new InvalidDeclarationError([`Table ${key} is not declared`]);
    return table;
  }
}
