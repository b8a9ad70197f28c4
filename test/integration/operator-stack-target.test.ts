import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../functions/system';
import { stackTarget } from '../../local/es/stack-target';
import { tableOutputId } from '../../functions/eventsourcing/declaration';
import { localTarget } from '../../local/es/target';
import { startCloudFormationStandIn, type CloudFormationStandIn } from '../support/cloudformation';

const tableKeys = Object.keys(tables);

let standIn: CloudFormationStandIn;
const requests = () => standIn.requests;

beforeAll(async () => {
  standIn = await startCloudFormationStandIn();
});
afterAll(async () => {
  await standIn.stop();
});

const client = () =>
  new CloudFormationClient({
    endpoint: standIn.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'operator', secretAccessKey: 'secret' },
  });

describe('--stack NAME', () => {
  it("reads every table's name from the stack's outputs", async () => {
    standIn.setStack('EventSourcing-test', {
      ...Object.fromEntries(tableKeys.map((key) => [tableOutputId(key), `phys-${key}`])),
      ApiUrl: 'https://example.execute-api.eu-west-1.amazonaws.com/',
    });
    const target = await stackTarget('EventSourcing-test', client());
    expect(target.endpoint).toBeUndefined();
    expect(target.tables.events).toBe('phys-events');
    expect(target.tables.parkedStreams).toBe('phys-parkedStreams');
    expect(Object.keys(target.tables).sort()).toEqual([...tableKeys].sort());
    expect(requests().at(-1)?.get('Action')).toBe('DescribeStacks');
  });

  it('says which outputs a stack lacks, and when the stack does not exist', async () => {
    standIn.setStack('EventSourcing-test', { EventsTableName: 'phys-events' });
    await expect(stackTarget('EventSourcing-test', client())).rejects.toThrow(
      /Stack EventSourcing-test has no output SnapshotsTableName, .*ParkedStreamsTableName/,
    );
    await expect(stackTarget('Nope', client())).rejects.toThrow(
      /Stack Nope does not exist in region .*: check --stack/,
    );
  });
});

describe('the local target', () => {
  it('is the local stack on DYNAMODB_PORT, or the tables TABLE_* names', () => {
    expect(localTarget({ DYNAMODB_PORT: '8123' })).toMatchObject({
      endpoint: 'http://127.0.0.1:8123',
      tables: { events: 'local-events', globalLog: 'local-globalLog' },
    });
    expect(
      localTarget({ TABLE_EVENTS: 'my-events', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }),
    ).toMatchObject({ endpoint: 'http://127.0.0.1:9', tables: { events: 'my-events' } });
  });
});
