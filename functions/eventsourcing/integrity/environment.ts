import { KMSClient } from '@aws-sdk/client-kms';
import { signingKeyFromEnv } from '../declaration/resource-names.js';
import { traceClient } from '../tracing.js';
import { KmsCheckpointSigner } from './kms-signer.js';
import { LocalCheckpointSigner } from './local-signer.js';
import type { CheckpointSigner } from './signer.js';

/** How the local stack names a signing key: `local:` and the directory of its key file. */
export const LOCAL_SIGNING_KEY_PREFIX = 'local:';

export { HISTORY_LOG_VARIABLE, historyLogFromEnv } from './log-name.js';

/**
 * The signer of a declared signing key, as a function finds it in its environment
 * (`SIGNING_KEY_<NAME>`): the KMS key whose ARN it holds in AWS, or, for `local:<directory>`,
 * the local key kept in that directory.
 */
export async function signerFromEnv(
  key: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CheckpointSigner> {
  const value = signingKeyFromEnv(key, env);
  if (value.startsWith(LOCAL_SIGNING_KEY_PREFIX)) {
    return LocalCheckpointSigner.open({
      directory: value.slice(LOCAL_SIGNING_KEY_PREFIX.length),
      fileName: `${key}-key.pem`,
    });
  }
  return KmsCheckpointSigner.connect({ keyId: value, client: traceClient(new KMSClient({})) });
}
