import type {
  AttributeValue as StreamsAttributeValue,
  _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';

/** Types whose values Lambda's JSON form keeps as they are, in the order they are looked for. */
const PLAIN_TYPES = ['S', 'N', 'SS', 'NS', 'BOOL', 'NULL'] as const;

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * Lambda's JSON form of an attribute value: binaries as base64 strings. DynamoDB Local's stream
 * writes an empty map as `{}` (no type at all); DynamoDB and Lambda write `{"M":{}}`, so an
 * untyped value is restored as the empty map it was.
 */
function toLambdaAttributeValue(value: StreamsAttributeValue): LambdaAttributeValue {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttributeValue) };
  const type = PLAIN_TYPES.find((name) => value[name] !== undefined);
  return type ? ({ [type]: value[type] } as LambdaAttributeValue) : { M: {} };
}

function toLambdaImage(
  image: Record<string, StreamsAttributeValue>,
): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(
    Object.entries(image).map(([name, value]) => [name, toLambdaAttributeValue(value)]),
  );
}

/**
 * A record from the DynamoDB Streams API as Lambda's event source mapping hands it to a
 * function: the same fields plus `eventSourceARN`, `ApproximateCreationDateTime` in epoch
 * seconds, binaries in base64.
 */
export function toLambdaRecord(record: StreamsRecord, eventSourceARN: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    eventSourceARN,
    ...(record.userIdentity
      ? {
          userIdentity: {
            type: record.userIdentity.Type,
            principalId: record.userIdentity.PrincipalId,
          },
        }
      : {}),
    dynamodb: {
      ...(stream.ApproximateCreationDateTime
        ? { ApproximateCreationDateTime: stream.ApproximateCreationDateTime.getTime() / 1000 }
        : {}),
      ...(stream.Keys ? { Keys: toLambdaImage(stream.Keys) } : {}),
      ...(stream.NewImage ? { NewImage: toLambdaImage(stream.NewImage) } : {}),
      ...(stream.OldImage ? { OldImage: toLambdaImage(stream.OldImage) } : {}),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
  };
}
