/**
 * Synthesis of the system stack for the infrastructure tests: the probe declaration, building
 * and synthesizing a stack (bundling skipped unless asked), and helpers to read the template.
 */
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll } from 'vitest';
import {
  type StreamHostDeclaration,
  type SystemDeclaration,
} from '../../functions/eventsourcing/declaration';
import { addPolicyChecks, readDeploymentSettings } from '../../functions/eventsourcing/cdk';
import { systemDeclaration } from '../../lib/declaration';
import { SystemStack } from '../../lib/system-stack';

const cdkJson = JSON.parse(readFileSync(path.resolve('cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

export const probeHost: Omit<StreamHostDeclaration, 'consumers'> = {
  description: 'Probe host',
  source: 'events',
  entry: 'functions/system.ts',
  memoryMb: 512,
  timeoutSeconds: 60,
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  maxRetryAttempts: 5,
  maxRecordAgeSeconds: 3600,
  bisectBatchOnError: true,
  parallelizationFactor: 1,
  startingPosition: 'TRIM_HORIZON',
};

/**
 * A declaration with every kind of entry (each access level, indexes, TTL, routes sharing a
 * function, two consumers), so the generic code is exercised whatever the real one holds.
 */
export const probeDeclaration: SystemDeclaration = {
  tables: {
    events: systemDeclaration.tables.events!,
    snapshots: systemDeclaration.tables.snapshots!,
    ledger: {
      description: 'A read model with a secondary index',
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      globalIndexes: [
        {
          indexName: 'byOwner',
          partitionKey: { name: 'owner', type: 'S' },
          sortKey: { name: 'at', type: 'N' },
        },
      ],
      durability: 'derived',
    },
    requests: {
      description: 'Expiring items',
      partitionKey: { name: 'id', type: 'S' },
      timeToLiveAttribute: 'expiresAt',
      durability: 'derived',
    },
    parkedStreams: {
      description: 'Kept with the stack',
      partitionKey: { name: 'projection', type: 'S' },
      sortKey: { name: 'streamId', type: 'S' },
      durability: 'source-of-truth',
    },
  },
  buckets: {
    seals: { description: 'Write-once objects', writeOnce: true },
    exports: { description: 'Objects written and deleted' },
  },
  signingKeys: { probes: { description: 'Signs probes' } },
  functions: {
    probeCommand: {
      description: 'Appends events',
      entry: 'functions/system.ts',
      handler: 'tableNameEnvVar',
      trigger: 'http',
      memoryMb: 1024,
      timeoutSeconds: 10,
      tables: { events: 'append', snapshots: 'readWrite', requests: 'readWrite' },
      buckets: { exports: 'readWrite' },
    },
    probeCheck: {
      description: 'Checks something every minute',
      entry: 'functions/system.ts',
      handler: 'tableNameEnvVar',
      trigger: 'schedule',
      scheduleMinutes: 1,
      alarmMetrics: [{ metric: 'ProbeProblems', description: 'The probe found a problem' }],
      memoryMb: 128,
      timeoutSeconds: 30,
      tables: { ledger: 'read' },
      buckets: { seals: 'writeOnce' },
      signingKeys: { probes: 'sign' },
    },
    probeQuery: {
      description: 'Reads a read model',
      entry: 'functions/system.ts',
      trigger: 'http',
      memoryMb: 256,
      timeoutSeconds: 5,
      tables: { ledger: 'read' },
      buckets: { seals: 'read', exports: 'read' },
      signingKeys: { probes: 'verify' },
    },
    probeProjector: {
      description: 'Projects events',
      entry: 'functions/system.ts',
      trigger: 'stream',
      memoryMb: 512,
      timeoutSeconds: 60,
      tables: { events: 'read', ledger: 'readWrite', parkedStreams: 'readWrite' },
    },
    probePublisher: {
      description: 'Reads events and publishes them',
      entry: 'functions/system.ts',
      trigger: 'stream',
      memoryMb: 256,
      timeoutSeconds: 30,
      tables: { events: 'read' },
      eventBus: 'integration',
    },
  },
  routes: [
    { method: 'POST', path: '/probes/{id}', function: 'probeCommand' },
    { method: 'PUT', path: '/probes/{id}/state', function: 'probeCommand' },
    { method: 'GET', path: '/probes/{id}', function: 'probeQuery' },
  ],
  streamHosts: {
    probeProjector: {
      ...probeHost,
      consumers: {
        ledger: {
          description: 'Keeps the ledger',
          kind: 'projection',
          tables: { ledger: 'readWrite' },
        },
      },
    },
    probePublisher: {
      ...probeHost,
      batchSize: 10,
      maxRetryAttempts: 2,
      maxRecordAgeSeconds: 600,
      consumers: {
        publish: {
          description: 'Publishes',
          kind: 'reaction',
          tables: {},
          eventBus: 'integration',
        },
      },
    },
  },
};

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

export interface Synthesized {
  readonly app: App;
  readonly stack: SystemStack;
  readonly template: Template;
  readonly json: TemplateJson;
}

export interface BuildOptions {
  readonly context?: Record<string, unknown>;
  readonly bundle?: boolean;
  readonly checks?: boolean;
}

export function build(declaration: SystemDeclaration, options: BuildOptions = {}) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-test-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    context: {
      ...cdkJson.context,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  if (options.checks) addPolicyChecks(app);
  const settings = readDeploymentSettings(app.node);
  const stack = new SystemStack(app, `EventSourcing-${settings.stage}`, {
    settings,
    declaration,
  });
  return { app, stack };
}

export function synthesize(
  declaration: SystemDeclaration,
  options: BuildOptions = {},
): Synthesized {
  const { app, stack } = build(declaration, options);
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as TemplateJson };
}

export const logicalId = (construct: IConstruct): string => {
  const stack = Stack.of(construct);
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
};

// ---------------------------------------------------------------------------------------------
// Template helpers
// ---------------------------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
  Metadata?: Record<string, Json>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
export interface TemplateJson {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: Json }>;
}

export const resourcesOfType = (json: TemplateJson, type: string) =>
  Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);

export const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

/** Each action with each resource, as `grantsOf` lists a role's grants. */
export const pairs = (actions: readonly string[], resources: readonly Json[]) =>
  actions.flatMap((action) => resources.map((resource) => `${action} ${JSON.stringify(resource)}`));
export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The stacks every template property is checked on: the real system and the probe. */
export const declarations: [string, SystemDeclaration][] = [
  ['the system declaration', systemDeclaration],
  ['a probe declaration', probeDeclaration],
];
