import { readFileSync } from 'node:fs';
import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolatingResource,
} from 'aws-cdk-lib';

/** Metadata key that marks a table resource as append-only in the synthesized template. */
export const APPEND_ONLY_METADATA = 'eventsourcing:appendOnly';

/**
 * Metadata key that marks a role as the archiver of an append-only table (its logical id): the
 * one role whose policies may allow DeleteItem, and nothing else that changes items, on it.
 */
export const ARCHIVER_METADATA = 'eventsourcing:archiverOf';

/** What an archiver may do to the table it archives. */
const ARCHIVER_ACTION = 'dynamodb:deleteitem';

/** Actions that change or remove items, or the table itself (a TTL would expire items). */
const itemMutatingActions = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
  'dynamodb:DeleteTable',
  'dynamodb:UpdateTable',
  'dynamodb:UpdateTimeToLive',
] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: unknown;
  readonly Metadata?: unknown;
}

/** The parts of a CloudFormation template the check reads. */
export interface CloudFormationTemplate {
  readonly Resources?: Readonly<Record<string, TemplateResource>>;
}

export interface AppendOnlyViolation {
  /** Logical id of the policy, role, user or group holding the statement. */
  readonly resource: string;
  /** Logical id of the append-only table the statement can change. */
  readonly table: string;
  readonly actions: readonly string[];
  readonly reason: string;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asArray = (value: Json | undefined): Json[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** IAM wildcard (`*`, `?`) to a case-insensitive whole-string regular expression. */
function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

/** Stands for the append-only table's physical name, unknown until deployment. */
const TABLE_NAME = 'append-only-table-under-check';
const TABLE_ARN = `arn:x:dynamodb:x:x:table/${TABLE_NAME}`;

/** What a resource expression the check cannot read renders to: a token no pattern matches. */
const OTHER = '\u0000other\u0000';

/**
 * Renders a resource expression to text. References to the append-only table become its name
 * or ARN; references to anything else become opaque tokens that no pattern matches, so only
 * literal `*` and `?` in the policy count as wildcards.
 */
function renderResource(value: Json, table: string): string {
  if (typeof value === 'string') return value;
  if (!isObject(value)) return OTHER;
  for (const render of [renderRef, renderGetAtt, renderJoin, renderSub]) {
    const text = render(value, table);
    if (text !== undefined) return text;
  }
  return OTHER;
}

/** `Ref`: the table's name, a pseudo parameter's stand-in, or an opaque token. */
function renderRef(value: JsonObject, table: string): string | undefined {
  const ref = value.Ref;
  if (typeof ref !== 'string') return undefined;
  if (ref === table) return TABLE_NAME;
  return ref.startsWith('AWS::') ? 'x' : `\u0000${ref}\u0000`;
}

/** `Fn::GetAtt`: the table's ARN (or a sub-resource of it), or an opaque token. */
function renderGetAtt(value: JsonObject, table: string): string | undefined {
  const getAtt = value['Fn::GetAtt'];
  if (!Array.isArray(getAtt)) return undefined;
  const [id, attribute] = getAtt.map(String);
  if (id === table) return attribute === 'Arn' ? TABLE_ARN : `${TABLE_ARN}/${attribute}`;
  return `\u0000${id}.${attribute}\u0000`;
}

/** `Fn::Join`: its parts rendered and joined. */
function renderJoin(value: JsonObject, table: string): string | undefined {
  const join = value['Fn::Join'];
  if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) {
    return undefined;
  }
  return join[1].map((part) => renderResource(part, table)).join(join[0]);
}

/** `Fn::Sub` (the string form): each `${name}` rendered as the reference it stands for. */
function renderSub(value: JsonObject, table: string): string | undefined {
  const sub = value['Fn::Sub'];
  if (typeof sub !== 'string') return undefined;
  return sub.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
    renderResource(name.includes('.') ? { 'Fn::GetAtt': name.split('.') } : { Ref: name }, table),
  );
}

/**
 * Whether a rendered resource pattern could match the append-only table in any partition,
 * region and account: its service must match `dynamodb` and its resource `table/<name>`.
 */
function coversTable(resource: string): boolean {
  const [prefix, , service, , , ...rest] = resource.split(':');
  if (prefix !== 'arn' || rest.length === 0) return globToRegExp(resource).test(TABLE_ARN);
  return (
    globToRegExp(service ?? '').test('dynamodb') &&
    globToRegExp(rest.join(':')).test(`table/${TABLE_NAME}`)
  );
}

/** Actions of an Allow statement that could change items of a table it applies to. */
function forbiddenActions(statement: JsonObject): string[] {
  if (statement.NotAction !== undefined) return ['NotAction (everything but the listed actions)'];
  return asArray(statement.Action)
    .filter((action): action is string => typeof action === 'string')
    .filter((action) => {
      const [service = ''] = action.split(':');
      const wildcardOverDynamoDb = /[*?]/.test(action) && globToRegExp(service).test('dynamodb');
      const pattern = globToRegExp(action);
      return (
        wildcardOverDynamoDb || itemMutatingActions.some((forbidden) => pattern.test(forbidden))
      );
    });
}

function policyDocuments(resource: { readonly Properties?: unknown }): Json[] {
  const properties = resource.Properties;
  if (!isObject(properties)) return [];
  return [
    properties.PolicyDocument,
    ...asArray(properties.Policies).map((policy) =>
      isObject(policy) ? policy.PolicyDocument : undefined,
    ),
  ].filter((document): document is Json => document !== undefined);
}

/** Logical ids of the tables marked append-only. */
export function appendOnlyTables(template: CloudFormationTemplate): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => {
      const metadata = resource.Metadata;
      return isObject(metadata) && metadata[APPEND_ONLY_METADATA] === true;
    })
    .map(([id]) => id);
}

/**
 * Every identity-policy statement in the template that allows changing or deleting items of an
 * append-only table: a mutating action, or any wildcard action that reaches DynamoDB, on a
 * resource that is or could match the table (its ARN, or a wildcard such as `*`). The one
 * exception: DeleteItem, named exactly, in a policy of the table's archiver role alone (marked
 * `ARCHIVER_METADATA`); a second role marked archiver of the same table is a violation too.
 */
export function findAppendOnlyViolations(template: CloudFormationTemplate): AppendOnlyViolation[] {
  const resources = Object.entries(template.Resources ?? {});
  return appendOnlyTables(template).flatMap((table) => {
    const archivers = archiverRoles(template, table);
    const archiver = archivers.length === 1 ? archivers[0] : undefined;
    const extraArchivers = archivers.slice(1).map((id) => ({
      resource: id,
      table,
      actions: ['dynamodb:DeleteItem'],
      reason: `${archivers.join(', ')} are all marked archivers of append-only table ${table}: one role at most may delete its items`,
    }));
    return [
      ...extraArchivers,
      ...resources.flatMap(([id, resource]) => {
        const archives = archiver !== undefined && appliesOnlyTo(resource, id, archiver);
        return allowStatements(resource).flatMap(
          (statement) => violationOf(statement, { id, table, archives }) ?? [],
        );
      }),
    ];
  });
}

/** Logical ids of the roles marked as archivers of `table`. */
function archiverRoles(template: CloudFormationTemplate, table: string): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(
      ([, resource]) =>
        resource.Type === 'AWS::IAM::Role' &&
        isObject(resource.Metadata) &&
        resource.Metadata[ARCHIVER_METADATA] === table,
    )
    .map(([id]) => id);
}

/**
 * Whether the policies of resource `id` apply to `role` alone: they are the role's own, or a
 * policy attached to that role and to no other role, user or group.
 */
function appliesOnlyTo(resource: TemplateResource, id: string, role: string): boolean {
  if (id === role) return true;
  const properties = resource.Properties;
  if (!isObject(properties) || properties.Users !== undefined || properties.Groups !== undefined) {
    return false;
  }
  const roles = asArray(properties.Roles);
  return roles.length > 0 && roles.every((attached) => isObject(attached) && attached.Ref === role);
}

/** The Allow statements of a resource's identity policies, in order. */
function allowStatements(resource: { readonly Properties?: unknown }): JsonObject[] {
  return policyDocuments(resource)
    .filter(isObject)
    .flatMap((document) => asArray(document.Statement))
    .filter(
      (statement): statement is JsonObject => isObject(statement) && statement.Effect === 'Allow',
    );
}

/**
 * The violation of one Allow statement of resource `id` against `table`, if it is one; `archives`
 * when the statement applies to the table's archiver alone, which may delete items.
 */
function violationOf(
  statement: JsonObject,
  {
    id,
    table,
    archives,
  }: { readonly id: string; readonly table: string; readonly archives: boolean },
): AppendOnlyViolation | undefined {
  const actions = forbiddenActions(statement).filter(
    (action) => !(archives && action.toLowerCase() === ARCHIVER_ACTION),
  );
  if (actions.length === 0) return undefined;
  const reachesTable =
    statement.NotResource !== undefined ||
    asArray(statement.Resource).some((r) => coversTable(renderResource(r, table)));
  if (!reachesTable) return undefined;
  return {
    resource: id,
    table,
    actions,
    reason: `${id} allows ${actions.join(', ')} on append-only table ${table}`,
  };
}

/**
 * Synthesis-time guard: fails `cdk synth` (and every test that synthesizes) when any policy
 * could update or delete items of an append-only table.
 */
export class AppendOnlyTablesCheck implements IPolicyValidationPlugin {
  readonly name = 'AppendOnlyTables';
  readonly ruleIds = ['AppendOnlyTables'];

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations = context.templatePaths.flatMap((templatePath) => {
      const template = JSON.parse(readFileSync(templatePath, 'utf8')) as CloudFormationTemplate;
      return findAppendOnlyViolations(template).map((violation) => ({ templatePath, violation }));
    });
    return {
      success: violations.length === 0,
      violations: violations.map(({ templatePath, violation }) => ({
        ruleName: 'AppendOnlyTables',
        description: violation.reason,
        fix: 'Grant append (GetItem, Query, PutItem) and nothing that changes items; only the one function declared with archive access may delete them.',
        severity: 'error',
        violatingResources: [
          {
            resourceLogicalId: violation.resource,
            templatePath,
            locations: ['Properties'],
          } satisfies PolicyViolatingResource,
        ],
      })),
    };
  }
}
