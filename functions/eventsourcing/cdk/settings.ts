import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { MAX_SCHEDULE_MINUTES } from '../declaration/index.js';
import { DEFAULT_CALLER_SETTINGS, type CallerSettings } from '../http/caller.js';
import { InvalidSettingError } from '../declaration/errors.js';

/** How callers authenticate to the HTTP API. */
export type ApiAuthorization =
  | { readonly kind: 'iam' }
  | { readonly kind: 'jwt'; readonly issuer: string; readonly audience: readonly string[] };

/** Everything that differs between deployments, read from CDK context (`-c key=value`). */
export interface DeploymentSettings {
  readonly stage: string;
  readonly authorization: ApiAuthorization;
  /** Which JWT callers are operators (they may act on any account); IAM callers always may. */
  readonly callers: CallerSettings;
  /** Origins allowed by CORS; empty means no CORS configuration at all. */
  readonly corsOrigins: readonly string[];
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: RetentionDays;
  /** Address subscribed to the alarm topic, if any. */
  readonly alarmEmail?: string;
  /**
   * Days each object of a write-once bucket (the signed checkpoints) is locked, in compliance
   * mode; a bucket with its own `retentionSetting` takes this when that setting is not given.
   */
  readonly checkpointRetentionDays: number;
}

const defaultSettings = {
  stage: 'dev',
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  logRetentionDays: 30,
  checkpointRetentionDays: 365,
} as const;

/** S3 Object Lock's longest default retention: 100 years. */
const MAX_RETENTION_DAYS = 36_500;

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

function text(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(String).join(',');
  throw new InvalidSettingError(
    key,
    `Context ${key} must be a string, got ${JSON.stringify(value)}`,
  );
}

function list(node: Node, key: string): string[] {
  return (text(node, key) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function positiveInteger(node: Node, key: string, fallback: number): number {
  const raw = text(node, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidSettingError(key, `Context ${key} must be a positive integer, got ${raw}`);
  }
  return value;
}

function authorization(node: Node): ApiAuthorization {
  const kind = text(node, 'auth') ?? 'iam';
  if (kind === 'iam') return { kind };
  if (kind === 'jwt') {
    const issuer = text(node, 'jwtIssuer');
    const audience = list(node, 'jwtAudience');
    if (!issuer?.startsWith('https://') || audience.length === 0) {
      throw new InvalidSettingError(
        'auth',
        'auth=jwt needs -c jwtIssuer=https://… (the token issuer URL) and -c jwtAudience=<client id>[,…]',
      );
    }
    return { kind, issuer, audience };
  }
  throw new InvalidSettingError('auth', `Context auth must be iam or jwt, got ${kind}`);
}

function logRetention(node: Node): RetentionDays {
  const days = positiveInteger(node, 'logRetentionDays', defaultSettings.logRetentionDays);
  const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) {
    throw new InvalidSettingError(
      'logRetentionDays',
      `Context logRetentionDays must be one of ${allowed.join(', ')}, got ${days}`,
    );
  }
  return days;
}

/** Days objects stay locked: the context setting `key`, or `fallback`; at most 100 years. */
function retentionDays(node: Node, key: string, fallback: number): number {
  const days = positiveInteger(node, key, fallback);
  if (days > MAX_RETENTION_DAYS) {
    throw new InvalidSettingError(
      key,
      `Context ${key} must be at most ${MAX_RETENTION_DAYS} (100 years), got ${days}`,
    );
  }
  return days;
}

/**
 * Days each object of a write-once bucket stays locked: the context setting the bucket names
 * (`retentionSetting`, e.g. `-c archiveRetentionDays=3650`), else `checkpointRetentionDays`.
 */
export const retentionDaysOf = (node: Node, setting: string | undefined, fallback: number) =>
  setting ? retentionDays(node, setting, fallback) : fallback;

/** Reads and checks the deployment settings; a bad value stops synthesis with its name. */
export function readDeploymentSettings(node: Node): DeploymentSettings {
  const stage = text(node, 'stage') ?? defaultSettings.stage;
  if (!STAGE_PATTERN.test(stage)) {
    throw new InvalidSettingError(
      'stage',
      `Context stage must be lowercase letters, digits or dashes (at most 20), got ${stage}`,
    );
  }
  const alarmEmail = text(node, 'alarmEmail');
  return {
    stage,
    authorization: authorization(node),
    callers: {
      operatorGroup: text(node, 'operatorGroup') ?? DEFAULT_CALLER_SETTINGS.operatorGroup,
      groupsClaim: text(node, 'groupsClaim') ?? DEFAULT_CALLER_SETTINGS.groupsClaim,
    },
    corsOrigins: list(node, 'corsOrigins'),
    throttle: {
      rateLimit: positiveInteger(node, 'throttleRateLimit', defaultSettings.throttleRateLimit),
      burstLimit: positiveInteger(node, 'throttleBurstLimit', defaultSettings.throttleBurstLimit),
    },
    logRetention: logRetention(node),
    checkpointRetentionDays: retentionDays(
      node,
      'checkpointRetentionDays',
      defaultSettings.checkpointRetentionDays,
    ),
    ...(alarmEmail ? { alarmEmail } : {}),
  };
}

/**
 * Minutes between runs of a scheduled function: its declared `scheduleMinutes`, unless the
 * context setting it names (`scheduleSetting`, e.g. `-c checkpointMinutes=10`) says otherwise.
 */
export function scheduleMinutesOf(
  node: Node,
  setting: string | undefined,
  declared: number,
): number {
  const minutes = setting ? positiveInteger(node, setting, declared) : declared;
  if (minutes > MAX_SCHEDULE_MINUTES) {
    throw new InvalidSettingError(
      setting!,
      `Context ${setting} must be at most ${MAX_SCHEDULE_MINUTES} minutes, got ${minutes}`,
    );
  }
  return minutes;
}
