import { preview } from './columns.js';
import { isJsonObject } from './payload.js';
import { decodeRegistryDecimalString, registryUnscaled } from './registry-decimal.js';
import { badDecimal, formatUnscaled, unscaledFromBase64 } from './unscaled.js';
import { ValueRendering } from './value-rendering.js';

export { formatUnscaled } from './unscaled.js';

/** What the Kafka Connect schema says about one field (absent when schemas are disabled). */
export interface FieldSchema {
  readonly type?: string;
  readonly name?: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
}

export const DECIMAL_SCHEMA = 'org.apache.kafka.connect.data.Decimal';
export const VARIABLE_SCALE_DECIMAL_SCHEMA = 'io.debezium.data.VariableScaleDecimal';

const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;
const MAX_SCALE = 38;
/**
 * Postgres numerics can be NaN or ±Infinity; double mode (and Jackson) send them as these strings.
 * "Infinity" is also valid base64, so without this check it would decode as the bytes of a price.
 */
const SPECIAL_VALUES: ReadonlySet<string> = new Set(['NaN', 'Infinity', '-Infinity']);

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

/**
 * `{ scale, value }`: Debezium's VariableScaleDecimal (and the shape of Confluent's Protobuf decimal). In a
 * registry-converted value its bytes may be spelled as Avro JSON bytes instead of base64.
 */
const fromVariableScale = (value: Record<string, unknown>, rendering: ValueRendering): string => {
  if (typeof value.value !== 'string') throw badDecimal('VariableScaleDecimal has no base64 value');
  const unscaled =
    rendering === ValueRendering.CONNECT_JSON
      ? unscaledFromBase64(value.value)
      : registryUnscaled(value.value, rendering);
  return formatUnscaled(unscaled, parseScale(value.scale));
};

/** What the column declares when the value carries no schema: the contract's NUMERIC(precision, scale). */
export interface DecimalDefaults {
  readonly scale: number;
  readonly precision?: number;
}

/**
 * Any Debezium `decimal.handling.mode` → the exact decimal as a string.
 * - precise: base64 unscaled bytes, scale from the schema (or the default when schemaless)
 * - string: `"1299.99"`, kept as sent
 * - double: `1299.99`, formatted with the schema's scale or the default
 * - VariableScaleDecimal: `{ scale, value }`
 * Registry-converted values (see registry-decimal.ts) never carry the scale, and their strings may also be
 * Avro JSON bytes.
 */
export const decodeDecimal = (
  value: unknown,
  schema: FieldSchema | undefined,
  defaults: number | DecimalDefaults,
  rendering: ValueRendering = ValueRendering.CONNECT_JSON,
): string => {
  const { scale: defaultScale, precision } = typeof defaults === 'number' ? { scale: defaults } : defaults;
  const schemaScale = schema?.parameters?.scale;
  const scale = schemaScale === undefined ? defaultScale : parseScale(schemaScale);
  if (typeof value === 'number') return fromDouble(value, scale);
  if (isJsonObject(value)) return fromVariableScale(value, rendering);
  if (typeof value !== 'string') throw badDecimal(`decimal has unexpected type ${typeof value}`);
  if (rendering !== ValueRendering.CONNECT_JSON) {
    return decodeRegistryDecimalString(value, { scale, precision, rendering });
  }
  const isPrecise = schema?.name === DECIMAL_SCHEMA || schema?.type === 'bytes';
  if (!isPrecise && SPECIAL_VALUES.has(value)) throw badDecimal(`decimal "${value}" is not a number`);
  if (!isPrecise && DECIMAL_STRING.test(value)) return value;
  // string mode says what it is: a value that is not a decimal there is wrong, not base64 in disguise.
  if (schema?.type === 'string') throw badDecimal(`decimal "${value.slice(0, 40)}" is not a decimal string`);
  return formatUnscaled(unscaledFromBase64(value), scale);
};
