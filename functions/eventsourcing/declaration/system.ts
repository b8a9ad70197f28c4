import type { BucketDeclaration } from './buckets.js';
import type { SigningKeyDeclaration } from './signing-keys.js';
import type { FunctionDeclaration, RouteDeclaration } from './functions.js';
import type { StreamHostDeclaration } from './stream-hosts.js';
import type { TableDeclaration } from './tables.js';

/**
 * A whole system as the CDK app and the local stack read it, keyed by plain strings so either
 * can be built from any declaration (tests build small ones of their own).
 */
export interface SystemDeclaration {
  readonly tables: Readonly<Record<string, TableDeclaration>>;
  readonly buckets: Readonly<Record<string, BucketDeclaration>>;
  readonly signingKeys: Readonly<Record<string, SigningKeyDeclaration>>;
  readonly functions: Readonly<Record<string, FunctionDeclaration>>;
  readonly routes: readonly RouteDeclaration[];
  /** The readers of table streams, keyed like the functions that run them. */
  readonly streamHosts: Readonly<Record<string, StreamHostDeclaration>>;
}
