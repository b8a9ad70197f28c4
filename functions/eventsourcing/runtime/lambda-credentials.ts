import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in Lambda bundles (an esbuild alias set by
 * the CDK app). Lambda hands every function its role's credentials in environment variables, so
 * the SDK's default chain only ever uses its first link there; the rest of the chain (SSO, STS,
 * profiles, instance metadata) is about 120 KiB of every bundle that never runs. Locally, code
 * runs unbundled and keeps the whole chain.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
