import { ErrorCode, PoisonRecordError } from '../errors.js';
import { decodeJsonPayload, isJsonObject } from './payload.js';

/** Debezium's stand-in for an unchanged TOASTed column; as text, or base64 of it for binary columns. */
const UNAVAILABLE_VALUES: ReadonlySet<unknown> = new Set([
  '__debezium_unavailable_value',
  Buffer.from('__debezium_unavailable_value').toString('base64'),
]);

export const isUnavailable = (value: unknown): boolean => UNAVAILABLE_VALUES.has(value);

/** True when the change says nothing about this column: absent, TOAST placeholder, or null in a NOT NULL column. */
export const isNotSent = (value: unknown): boolean =>
  value === undefined || value === null || isUnavailable(value);

/**
 * A short description of a hostile value for an error message. It never serialises nested JSON: a value
 * nested 100k levels deep would overflow the stack, and a multi-megabyte one would be copied for nothing.
 */
export const preview = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 80));
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
};

const invalid = (column: string, expected: string, value: unknown): PoisonRecordError =>
  new PoisonRecordError(
    ErrorCode.INVALID_FIELD,
    `Column '${column}' must be ${expected}, got ${preview(value)}`,
  );

/**
 * A key column: any integer that DynamoDB and JavaScript both hold exactly. That is every value of
 * Postgres's INTEGER, 0 and negatives included (a SERIAL starts at 1, but an explicit insert, a sequence
 * with MINVALUE or a hand-loaded row may hold any of them), and BIGINT up to 2^53.
 */
export const readId = (row: Readonly<Record<string, unknown>>, column: string): number | undefined => {
  const value = row[column];
  if (value === undefined || value === null) return undefined;
  if (!Number.isSafeInteger(value)) throw invalid(column, 'a safe integer', value);
  return value as number;
};

export const requireId = (row: Readonly<Record<string, unknown>>, column: string): number => {
  const id = readId(row, column);
  if (id === undefined) throw new PoisonRecordError(ErrorCode.MISSING_FIELD, `Column '${column}' is missing`);
  return id;
};

export const readString = (row: Readonly<Record<string, unknown>>, column: string): string | undefined => {
  const value = row[column];
  if (isNotSent(value)) return undefined;
  if (typeof value !== 'string') throw invalid(column, 'a string', value);
  return value;
};

export const readInteger = (row: Readonly<Record<string, unknown>>, column: string): number | undefined => {
  const value = row[column];
  if (isNotSent(value)) return undefined;
  if (!Number.isSafeInteger(value)) throw invalid(column, 'a safe integer', value);
  return value as number;
};

/** The row's key from the Kafka record key: `{"id": 1}` or `{schema, payload: {"id": 1}}`. */
export const keyRow = (base64Key: string | null | undefined): Readonly<Record<string, unknown>> => {
  if (base64Key === null || base64Key === undefined || base64Key === '') return {};
  const key = decodeJsonPayload(base64Key, 'key');
  const payload = isJsonObject(key) && 'payload' in key && 'schema' in key ? key.payload : key;
  return isJsonObject(payload) ? payload : {};
};
