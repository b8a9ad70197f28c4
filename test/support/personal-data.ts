import { paginateScan, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What Erin and Frank tell the system about themselves: none of it may be stored in clear. */
export const ERIN = {
  ownerId: 'erin',
  holderName: 'Erin Quenby-Marsh',
  email: 'erin.quenby@example.org',
  address: {
    name: 'Erin Quenby-Marsh',
    line1: '17 Larkspur Mews',
    city: 'Oldhaven',
    postalCode: 'OX9 4QT',
    country: 'GB',
  },
};
export const FRANK = {
  ownerId: 'frank',
  holderName: 'Frank Ottoline',
  email: 'frank.o@example.org',
};
export const CLEAR_VALUES = [
  ERIN.holderName,
  ERIN.email,
  ERIN.address.line1,
  ERIN.address.postalCode,
  FRANK.holderName,
  FRANK.email,
];

export const OPERATOR = { 'x-local-principal': 'olga', 'x-local-groups': 'operators' };
export const ERIN_CALLER = { 'x-local-principal': 'erin' };

/** Every item of every table of the stack, as raw DynamoDB JSON. */
export async function everyStoredItem(
  client: DynamoDBClient,
  tableNames: Readonly<Record<string, string>>,
): Promise<string> {
  const dumps: string[] = [];
  for (const table of Object.values(tableNames)) {
    for await (const page of paginateScan({ client }, { TableName: table })) {
      dumps.push(JSON.stringify(page.Items ?? []));
    }
  }
  return dumps.join('\n');
}

/** An account opened before personal data was encrypted: its holder's name in clear. */
export const clearAccountOpened = (
  streamId: string,
  ownerId: string,
  holderName: string,
): Record<string, AttributeValue> => ({
  streamId: { S: streamId },
  version: { N: '1' },
  eventId: { S: '01J00000000000000000000000' },
  type: { S: 'AccountOpened' },
  schemaVersion: { N: '1' },
  data: {
    M: {
      ownerId: { S: ownerId },
      accountType: { S: 'checking' },
      currency: { S: 'USD' },
      holderName: { S: holderName },
    },
  },
  metadata: { M: {} },
  recordedAt: { S: '2025-01-01T00:00:00.000Z' },
});
