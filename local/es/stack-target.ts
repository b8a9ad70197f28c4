import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { historyFromOutputs } from './history-target';
import { TargetError, tablesFromOutputs, type Target } from './target';

/** The output naming the bucket of the stream hosts' on-failure records. */
export const FAILURE_RECORDS_OUTPUT = 'FailureRecordsBucketName';

/**
 * A deployed stack's tables, from its CloudFormation outputs, with the operator's own AWS
 * credentials and region (AWS_PROFILE, AWS_REGION, SSO, … as the AWS CLI finds them).
 */
export async function stackTarget(
  stackName: string,
  client = new CloudFormationClient({}),
): Promise<Target> {
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Object.fromEntries(
      (Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue]),
    ) as Record<string, string>;
    const history = historyFromOutputs(stackName, outputs);
    const failureRecords = outputs[FAILURE_RECORDS_OUTPUT];
    return {
      description: `stack ${stackName}`,
      tables: tablesFromOutputs(stackName, outputs),
      ...(history ? { history } : {}),
      ...(failureRecords ? { failureRecords: { bucket: failureRecords } } : {}),
    };
  } catch (error) {
    if (error instanceof TargetError) throw error;
    throw new TargetError(stackErrorMessage(stackName, error as Error));
  } finally {
    client.destroy();
  }
}

function stackErrorMessage(stackName: string, error: Error): string {
  if (error.name === 'ValidationError' && /does not exist/.test(error.message)) {
    return (
      `Stack ${stackName} does not exist in region ${process.env.AWS_REGION ?? '(none set)'}: ` +
      'check --stack (e.g. EventSourcing-dev) and AWS_REGION.'
    );
  }
  if (error.name === 'CredentialsProviderError' || /credential/i.test(error.message)) {
    return `No usable AWS credentials: run aws sso login or set AWS_PROFILE (${error.message}).`;
  }
  if (/region/i.test(error.message)) {
    return `No AWS region: set AWS_REGION (or a region in your AWS profile). ${error.message}`;
  }
  if (error.name === 'AccessDenied' || error.name === 'AccessDeniedException') {
    return (
      `Your credentials may not describe stack ${stackName}: allow cloudformation:DescribeStacks ` +
      "(see the README's operator permissions)."
    );
  }
  return `Cannot read stack ${stackName}: ${error.message}`;
}
