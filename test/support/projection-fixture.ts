import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { RecordedEvent } from '../../functions/eventsourcing';
import type { ProjectionTables } from '../../functions/eventsourcing';
import { createReadModelTable } from './balance-projection';
import { createTestTables, type TestTables } from './dynamodb';

export interface ProjectionTestTables extends TestTables {
  readonly projectionTables: ProjectionTables;
}

/** Declared tables under a fresh prefix plus a test-only read-model table. */
export async function createProjectionTestTables(): Promise<ProjectionTestTables> {
  const tables = await createTestTables();
  const readModel = await createReadModelTable(tables.client);
  return {
    ...tables,
    projectionTables: {
      events: tables.names.events,
      readModel,
      parkedStreams: tables.names.parkedStreams,
    },
  };
}

let sequence = 1000;

/** A stream record of an inserted event item, shaped as Lambda delivers it. */
export function insertRecord(event: RecordedEvent, eventSourceARN = 'arn:test'): DynamoDBRecord {
  const image = marshall(event, { removeUndefinedValues: true }) as Record<
    string,
    LambdaAttributeValue
  >;
  return {
    eventID: `e${sequence}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'local',
    eventSourceARN,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: { streamId: image.streamId!, version: image.version! },
      NewImage: image,
      SequenceNumber: String(sequence++).padStart(21, '0'),
      SizeBytes: JSON.stringify(image).length,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}
