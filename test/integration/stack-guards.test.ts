import path from 'node:path';
import { readFileSync } from 'node:fs';
import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NagRuleCompliance, type IApplyRule } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import {
  AppendOnlyTablesCheck,
  findAppendOnlyViolations,
  grantTableAccess,
} from '../../functions/eventsourcing/cdk';
import type { SystemDeclaration } from '../../functions/eventsourcing/declaration';
import { systemDeclaration } from '../../lib/declaration';
import type { SystemStack } from '../../lib/system-stack';
import { probeDeclaration, build, logicalId, declarations } from '../support/cdk-synthesis';

// ---------------------------------------------------------------------------------------------
// The append-only guard catches every way a role could change events
// ---------------------------------------------------------------------------------------------

describe('append-only guard', () => {
  const events = (stack: SystemStack) => stack.tables.get('events').table;
  const queryRole = (stack: SystemStack) => stack.functions.get('probeQuery')!.role;
  const allow = (actions: string[], resources: string[]) =>
    new PolicyStatement({ actions, resources });

  /** A change to the probe stack: a statement for the query role, or a grant it makes itself. */
  type PolicyChange = (stack: SystemStack) => PolicyStatement | void;

  function violationsWith(change: PolicyChange) {
    const { stack } = build(probeDeclaration);
    const statement = change(stack);
    if (statement) queryRole(stack).addToPrincipalPolicy(statement);
    return findAppendOnlyViolations(Template.fromStack(stack).toJSON());
  }

  it.each<[string, PolicyChange]>([
    ['UpdateItem on the events table', (s) => allow(['dynamodb:UpdateItem'], [events(s).tableArn])],
    [
      'DeleteItem on an ARN built from the table name',
      (s) =>
        allow(
          ['dynamodb:DeleteItem'],
          [`arn:${s.partition}:dynamodb:${s.region}:${s.account}:table/${events(s).tableName}`],
        ),
    ],
    ['dynamodb:* on the events table', (s) => void events(s).grantFullAccess(queryRole(s))],
    ['the CDK read-write grant', (s) => void events(s).grantReadWriteData(queryRole(s))],
    [
      'a wildcard action on the events table',
      (s) => allow(['dynamodb:Put*'], [events(s).tableArn]),
    ],
    [
      'BatchWriteItem on every table',
      () => allow(['dynamodb:BatchWriteItem'], ['arn:aws:dynamodb:*:*:table/*']),
    ],
    ['any action on any resource', () => allow(['*'], ['*'])],
    [
      'everything but reads (NotAction)',
      (s) =>
        new PolicyStatement({ notActions: ['dynamodb:GetItem'], resources: [events(s).tableArn] }),
    ],
  ])('fails on %s', (_name, change) => {
    const violations = violationsWith(change);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations[0]!.reason).toMatch(/append-only table/);
  });

  it.each<[string, PolicyChange]>([
    [
      'a Deny of UpdateItem',
      () =>
        new PolicyStatement({
          effect: Effect.DENY,
          actions: ['dynamodb:UpdateItem'],
          resources: ['*'],
        }),
    ],
    [
      'UpdateItem on another table',
      () => allow(['dynamodb:UpdateItem'], ['arn:aws:dynamodb:eu-west-1:123456789012:table/other']),
    ],
    [
      'UpdateItem on the snapshots table',
      (s) => void s.tables.get('snapshots').table.grantReadWriteData(queryRole(s)),
    ],
    ['reading the events stream', (s) => void events(s).grantStreamRead(queryRole(s))],
    ['s3 wildcards', () => allow(['s3:*'], ['*'])],
  ])('accepts %s', (_name, change) => {
    expect(violationsWith(change)).toEqual([]);
  });

  it('refuses to grant readWrite on an append-only table', () => {
    const { stack } = build(probeDeclaration);
    expect(() =>
      grantTableAccess(queryRole(stack), stack.tables.get('events'), 'readWrite'),
    ).toThrow(/append-only/);
  });

  it('stops synthesis when a bad policy reaches the events table', () => {
    const { app, stack } = build(probeDeclaration, { checks: true });
    events(stack).grantWriteData(queryRole(stack));
    expect(() => app.synth()).toThrow(/AppendOnlyTables/);
  });

  it('reports through the CDK validation plugin interface', () => {
    const { app, stack } = build(probeDeclaration);
    events(stack).grantWriteData(queryRole(stack));
    const assembly = app.synth();
    const report = new AppendOnlyTablesCheck().validate({
      templatePaths: [path.join(assembly.directory, stack.templateFile)],
      stackTemplates: [],
      appConstruct: app,
    });
    expect(report.success).toBe(false);
    expect(report.violations[0]!.violatingResources[0]!.resourceLogicalId).toBe(
      logicalId(queryRole(stack).node.findChild('DefaultPolicy')),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// cdk-nag AwsSolutions
// ---------------------------------------------------------------------------------------------

/** The AwsSolutions pack, also recording every finding before acknowledgements apply. */
class RecordingAwsSolutionsChecks extends AwsSolutionsChecks {
  readonly findings: { path: string; id: string }[] = [];

  protected override applyRule(params: IApplyRule): void {
    const ruleId = `${this.readPackName}-${params.ruleSuffixOverride ?? params.rule.name}`;
    const path = params.node.node.path;
    let result: ReturnType<IApplyRule['rule']>;
    try {
      result = params.rule(params.node);
    } catch {
      result = NagRuleCompliance.NON_COMPLIANT;
    }
    if (result === NagRuleCompliance.NON_COMPLIANT) this.findings.push({ path, id: ruleId });
    if (Array.isArray(result)) {
      for (const finding of result) this.findings.push({ path, id: `${ruleId}[${finding}]` });
    }
    super.applyRule(params);
  }
}

function acknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each<[string, SystemDeclaration, Record<string, unknown>]>([
  ...declarations.map(
    ([name, declaration]): [string, SystemDeclaration, Record<string, unknown>] => [
      name,
      declaration,
      {},
    ],
  ),
  [
    'the system declaration with CORS',
    systemDeclaration,
    { corsOrigins: 'https://app.example.com' },
  ],
])('cdk-nag AwsSolutions on %s', (_name, declaration, context) => {
  it('has no unacknowledged finding, and every acknowledgement is used and explained', () => {
    const { app } = build(declaration, { checks: true, context });
    const assembly = app.synth();
    const report = JSON.parse(
      readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
    ) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);

    const checks = new RecordingAwsSolutionsChecks();
    expect(checks.validateScope(app).violations).toEqual([]);
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length, `reason for ${ack.id} at ${ack.path}`).toBeGreaterThan(60);
      const used = checks.findings.some(
        (finding) =>
          finding.id === ack.id &&
          (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`)),
      );
      expect(used, `acknowledgement ${ack.id} at ${ack.path} matches a finding`).toBe(true);
    }
  });
});

describe('cdk-nag is live', () => {
  it('fails synthesis on an unacknowledged finding', () => {
    const { app, stack } = build(probeDeclaration, { checks: true });
    new Bucket(stack, 'CarelessBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });
});
