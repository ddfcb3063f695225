import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB's item size as its documentation counts it ("DynamoDB item sizes and formats",
 * CapacityUnitCalculations.html): the sum over attributes of the name's UTF-8 bytes and the value's size.
 * Strings are their UTF-8 bytes, numbers 1 byte per two significant digits (leading and trailing zeroes
 * trimmed) plus 1, binary its raw bytes, null and Boolean 1 byte, lists and maps 3 bytes plus 1 per element
 * plus their elements (a map's element with its name), sets the sum of their elements. The per-item
 * storage overhead (100 bytes for indexing) is not part of the size capacity is computed from.
 */
export const itemBytes = (item: Readonly<Record<string, AttributeValue>>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

export const numberBytes = (text: string): number => {
  const [mantissa = ''] = text.replace(/^[+-]/, '').toLowerCase().split('e');
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
};

const valueBytes = (value: AttributeValue): number => {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + utf8(text), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, text) => sum + numberBytes(text), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, bytes) => sum + bytes.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 0);
  if (value.M !== undefined) {
    return (
      3 +
      Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueBytes(element), 0)
    );
  }
  return 0;
};

export const KB = 1024;

/**
 * Write capacity of one write of an item this size (the larger of before and after): 1 WCU per KB, rounded
 * up; a transactional write is two underlying writes (prepare and commit), so twice that.
 */
export const writeUnits = (bytes: number, transactional: boolean): number =>
  Math.max(1, Math.ceil(bytes / KB)) * (transactional ? 2 : 1);
