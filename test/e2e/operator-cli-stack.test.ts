import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableOutputId } from '../../functions/eventsourcing/declaration';
import { tables } from '../../functions/system';
import { startCloudFormationStandIn, type CloudFormationStandIn } from '../support/cloudformation';
import { startTestApi, type TestApi } from '../support/local-api';

const root = fileURLToPath(new URL('../..', import.meta.url));
const STACK = 'EventSourcing-test';

let t: TestApi;
let cloudFormation: CloudFormationStandIn;
let accountId: string;

beforeAll(async () => {
  t = await startTestApi();
  cloudFormation = await startCloudFormationStandIn();
  // The deployed stack's outputs name its tables: here, the local stack's.
  cloudFormation.setStack(
    STACK,
    Object.fromEntries(
      (Object.keys(tables) as (keyof typeof tables)[]).map((key) => [
        tableOutputId(key),
        t.stack.tableNames[key],
      ]),
    ),
  );
  accountId = await t.openAccount('stack-owner', 2500);
  await t.eventually(
    '/owners/stack-owner/accounts',
    (r) => ((r.body.accounts as { balance: number }[] | undefined) ?? [])[0]?.balance === 2500,
  );
});
afterAll(async () => {
  await cloudFormation?.stop();
  await t?.stop();
});

/**
 * `npm run es -- ARGS --stack EventSourcing-test` as an operator runs it against AWS: no local
 * endpoint and no TABLE_* variables, only AWS settings. AWS_ENDPOINT_URL_* (read by the AWS SDK
 * itself) send CloudFormation's requests to the stand-in and DynamoDB's to DynamoDB Local.
 */
async function es(args: string[]) {
  const operator = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !name.startsWith('TABLE_') &&
        !name.startsWith('AWS_') &&
        !['DYNAMODB_ENDPOINT', 'DYNAMODB_PORT'].includes(name),
    ),
  );
  const env = {
    ...operator,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'operator',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: t.stack.dynamoDbEndpoint,
  };
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'local/es/cli.ts', ...args, '--stack', STACK],
      { cwd: root, env },
    );
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout + failed.stderr };
  }
}

describe('the operator CLI with --stack', () => {
  it('rebuilds a projection of the stack, and cleans the replaced generation', async () => {
    const requestsBefore = cloudFormation.requests.length;
    const rebuilt = await es([
      'rebuild',
      'owner-accounts',
      '--settle-seconds',
      '0',
      '--keep-retired',
      '--json',
    ]);
    expect(rebuilt.code, rebuilt.stdout).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({
      projection: 'owner-accounts',
      generation: 2,
      replaced: 1,
      parkedStreams: [],
    });
    expect(cloudFormation.requests.at(requestsBefore)?.get('Action')).toBe('DescribeStacks');
    // The API reads the new generation of the read model.
    await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 100 } });
    await t.eventually(
      '/owners/stack-owner/accounts',
      (r) => ((r.body.accounts as { balance: number }[] | undefined) ?? [])[0]?.balance === 2600,
    );
    const consumers = await es(['consumers', 'owner-accounts', '--json']);
    expect(consumers.code, consumers.stdout).toBe(0);
    expect(consumers.stdout).toMatch(/"generation":\s*\{\s*"active":\s*2/);

    const cleaned = await es(['clean', 'owner-accounts']);
    expect(cleaned.code, cleaned.stdout).toBe(0);
    expect(cleaned.stdout).toMatch(
      /^owner-accounts: removed [1-9][\d,]* items of replaced generations/,
    );
    expect((await es(['clean', 'owner-accounts'])).stdout).toMatch(
      /^owner-accounts: removed 0 items of replaced generations/,
    );
  });
});
