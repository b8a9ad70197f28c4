import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** DynamoDB's maximum item size, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Bytes DynamoDB counts for a number: about one per two significant digits, plus one. */
function numberBytes(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '');
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(significant.length, 1) / 2) + 1;
}

/** Size of one attribute value following DynamoDB's published sizing rules. */
// eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
export function attributeValueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Bytes(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8Bytes(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberBytes(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L !== undefined) {
    return value.L.reduce((sum, element) => sum + 1 + attributeValueBytes(element), 3);
  }
  if (value.M !== undefined) return 3 + attributesBytes(value.M, 1);
  return 0;
}

function attributesBytes(attributes: Record<string, AttributeValue>, perEntryOverhead: number) {
  let total = 0;
  for (const [name, value] of Object.entries(attributes)) {
    total += perEntryOverhead + utf8Bytes(name) + attributeValueBytes(value);
  }
  return total;
}

/** Size of a whole item as DynamoDB measures it against the 400 KB limit. */
export function itemBytes(item: Record<string, AttributeValue>): number {
  return attributesBytes(item, 0);
}

/** DynamoDB's limit on the aggregate size of the items in one transaction. */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
