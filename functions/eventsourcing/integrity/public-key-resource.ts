import type {
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceResponse,
} from 'aws-lambda';
import { logger } from '../logger.js';
import { signerFromEnv } from './environment.js';
import { UnexpectedResponseError } from '../errors.js';

/** The answer CloudFormation waits for: the public key (PEM) and the key's ARN, or why not. */
async function answer(
  event: CloudFormationCustomResourceEvent,
): Promise<CloudFormationCustomResourceResponse> {
  // The declared key's name, as the resource's properties give it.
  const signingKey = String(event.ResourceProperties.SigningKey);
  const base = {
    PhysicalResourceId: `${signingKey}-public-key`,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  if (event.RequestType === 'Delete') return { ...base, Status: 'SUCCESS' };
  try {
    const signer = await signerFromEnv(signingKey);
    const publicKeyPem = await signer.publicKeyPem();
    return {
      ...base,
      Status: 'SUCCESS',
      Data: { PublicKeyPem: publicKeyPem, KeyId: signer.keyId },
    };
  } catch (error) {
    logger.error('Cannot read the public key', { error: error as Error });
    return { ...base, Status: 'FAILED', Reason: (error as Error).message };
  }
}

/**
 * A CloudFormation custom resource reporting the public key of a signing key, so the stack can
 * output it: KMS keeps the key, and CloudFormation cannot read its public half itself.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<void> {
  const response = await answer(event);
  const sent = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body: JSON.stringify(response),
  });
  if (!sent.ok) {
    throw new UnexpectedResponseError(
      'CloudFormation',
      `CloudFormation refused the answer: HTTP ${sent.status}`,
    );
  }
}
