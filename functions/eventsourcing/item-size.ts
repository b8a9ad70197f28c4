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

const sum = <T>(values: readonly T[], bytes: (value: T) => number, each = 0) =>
  values.reduce((total, value) => total + each + bytes(value), 0);

/** Size of a set or list value; undefined for other values. */
function collectionBytes(value: AttributeValue): number | undefined {
  if (value.SS !== undefined) return sum(value.SS, utf8Bytes);
  if (value.NS !== undefined) return sum(value.NS, numberBytes);
  if (value.BS !== undefined) return sum(value.BS, (b) => b.byteLength);
  if (value.L !== undefined) return 3 + sum(value.L, attributeValueBytes, 1);
  if (value.M !== undefined) return 3 + attributesBytes(value.M, 1);
  return undefined;
}

/** Size of one attribute value following DynamoDB's published sizing rules. */
export function attributeValueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Bytes(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  return collectionBytes(value) ?? 0;
}

function attributesBytes(attributes: Record<string, AttributeValue>, perEntryOverhead: number) {
  let total = 0;
  for (const name in attributes) {
    total += perEntryOverhead + utf8Bytes(name) + attributeValueBytes(attributes[name]!);
  }
  return total;
}

/** Size of a whole item as DynamoDB measures it against the 400 KB limit. */
export function itemBytes(item: Record<string, AttributeValue>): number {
  return attributesBytes(item, 0);
}

/** DynamoDB's limit on the aggregate size of the items in one transaction. */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

/**
 * Whether an item of string and number attributes (an event item) is within the limit: a
 * UTF-16 length is a bound on UTF-8 bytes to within three times, so the exact count is taken
 * only for items that might be near the limit.
 */
export function fitsInItem(item: Record<string, AttributeValue>): boolean {
  let bound = 0;
  for (const name in item) {
    const value = item[name]!;
    bound += name.length * 3 + (value.S !== undefined ? value.S.length * 3 : 21);
  }
  return bound <= MAX_ITEM_BYTES || itemBytes(item) <= MAX_ITEM_BYTES;
}
