import { ErrorCode, PoisonRecordError } from '../errors.js';
import { preview } from './columns.js';
import { isJsonObject } from './payload.js';

/** What the Kafka Connect schema says about one field (absent when schemas are disabled). */
export interface FieldSchema {
  readonly type?: string;
  readonly name?: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
}

export const DECIMAL_SCHEMA = 'org.apache.kafka.connect.data.Decimal';
export const VARIABLE_SCALE_DECIMAL_SCHEMA = 'io.debezium.data.VariableScaleDecimal';

const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_SCALE = 38;
/**
 * Postgres numerics can be NaN or ±Infinity; double mode (and Jackson) send them as these strings.
 * "Infinity" is also valid base64, so without this check it would decode as the bytes of a price.
 */
const SPECIAL_VALUES: ReadonlySet<string> = new Set(['NaN', 'Infinity', '-Infinity']);

const badDecimal = (message: string): PoisonRecordError =>
  new PoisonRecordError(ErrorCode.BAD_DECIMAL, message);

/** Big-endian two's-complement bytes → BigInt, as Kafka Connect encodes a decimal's unscaled value. */
const unscaledFromBase64 = (base64: string): bigint => {
  if (base64.length % 4 !== 0 || !BASE64.test(base64)) throw badDecimal('decimal bytes are not base64');
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) throw badDecimal('decimal has no bytes');
  const unsigned = BigInt(`0x${bytes.toString('hex')}`);
  const negative = (bytes[0] as number) >= 0x80;
  return negative ? unsigned - (1n << BigInt(bytes.length * 8)) : unsigned;
};

/** Places the decimal point without ever going through a float: 129999n, 2 → "1299.99". */
export const formatUnscaled = (unscaled: bigint, scale: number): string => {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${whole}` : whole;
};

const parseScale = (raw: unknown): number => {
  const scale = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (!Number.isSafeInteger(scale) || (scale as number) < 0 || (scale as number) > MAX_SCALE) {
    throw badDecimal(`decimal scale ${preview(raw)} is not an integer in 0..${MAX_SCALE}`);
  }
  return scale as number;
};

const fromDouble = (value: number, scale: number): string => {
  if (!Number.isFinite(value)) throw badDecimal(`decimal ${value} is not finite`);
  if (Math.abs(value) >= 1e21) throw badDecimal(`decimal ${value} is out of range`);
  return value.toFixed(scale);
};

const fromVariableScale = (value: Record<string, unknown>): string => {
  if (typeof value.value !== 'string') throw badDecimal('VariableScaleDecimal has no base64 value');
  return formatUnscaled(unscaledFromBase64(value.value), parseScale(value.scale));
};

/**
 * Any Debezium `decimal.handling.mode` → the exact decimal as a string.
 * - precise: base64 unscaled bytes, scale from the schema (or `defaultScale` when schemaless)
 * - string: `"1299.99"`, kept as sent
 * - double: `1299.99`, formatted with the schema's scale or `defaultScale`
 * - VariableScaleDecimal: `{ scale, value }`
 */
export const decodeDecimal = (
  value: unknown,
  schema: FieldSchema | undefined,
  defaultScale: number,
): string => {
  const schemaScale = schema?.parameters?.scale;
  const scale = schemaScale === undefined ? defaultScale : parseScale(schemaScale);
  if (typeof value === 'number') return fromDouble(value, scale);
  if (isJsonObject(value)) return fromVariableScale(value);
  if (typeof value !== 'string') throw badDecimal(`decimal has unexpected type ${typeof value}`);
  const isPrecise = schema?.name === DECIMAL_SCHEMA || schema?.type === 'bytes';
  if (!isPrecise && SPECIAL_VALUES.has(value)) throw badDecimal(`decimal "${value}" is not a number`);
  if (!isPrecise && DECIMAL_STRING.test(value)) return value;
  // string mode says what it is: a value that is not a decimal there is wrong, not base64 in disguise.
  if (schema?.type === 'string') throw badDecimal(`decimal "${value.slice(0, 40)}" is not a decimal string`);
  return formatUnscaled(unscaledFromBase64(value), scale);
};
