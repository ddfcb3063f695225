import {
  badDecimal,
  formatUnscaled,
  isCanonicalBase64,
  unscaledFromBase64,
  unscaledFromLatin1,
} from './unscaled.js';
import { ValueRendering } from './value-rendering.js';

const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;
const SPECIAL_VALUES: ReadonlySet<string> = new Set(['NaN', 'Infinity', '-Infinity']);

const fractionDigits = (decimal: string): number => {
  const point = decimal.indexOf('.');
  return point === -1 ? 0 : decimal.length - point - 1;
};

export interface RegistryDecimalOptions {
  readonly scale: number;
  /** The column's declared precision, when known (the Avro schema has it; Lambda's JSON does not). */
  readonly precision: number | undefined;
  readonly rendering: typeof ValueRendering.REGISTRY_PLAIN | typeof ValueRendering.AVRO_JSON;
}

/**
 * The unscaled bytes of a registry-converted decimal. Avro's own JSON encoding spells bytes as one
 * character per byte; other JSON conversions of a generic record write base64. Without union wrappers
 * the rendering is unknown, so base64 is tried first: a string outside its alphabet can only be bytes.
 */
export const registryUnscaled = (text: string, rendering: RegistryDecimalOptions['rendering']): bigint =>
  rendering === ValueRendering.REGISTRY_PLAIN && isCanonicalBase64(text)
    ? unscaledFromBase64(text)
    : unscaledFromLatin1(text);

/**
 * A string in a bytes-decimal column of a registry-converted value, which carries no scale, no precision
 * and no sign of whether it is bytes or text:
 * - a decimal string with exactly the column's scale is the value (Debezium's string mode, or a
 *   BigDecimal rendered as text, both keep the column's scale: "5.00", "0.53");
 * - anything else is the unscaled bytes ("5" is the byte 0x35: 0.53 at scale 2), checked against the
 *   precision so that a misread cannot pass as a price: a decimal-looking string whose bytes would exceed it
 *   ("1299.9") is the text after all;
 * - without a precision nothing bounds the bytes, and a decimal-looking string is read as the text it is.
 * What stays ambiguous (bytes that spell a decimal with the column's scale, at least 8,083,333.60 at
 * NUMERIC(10,2)) is listed in docs/schema-registry.md.
 */
export const decodeRegistryDecimalString = (text: string, options: RegistryDecimalOptions): string => {
  if (SPECIAL_VALUES.has(text)) throw badDecimal(`decimal "${text}" is not a number`);
  const looksDecimal = DECIMAL_STRING.test(text);
  if (looksDecimal && (options.precision === undefined || fractionDigits(text) === options.scale)) {
    return text;
  }
  const unscaled = registryUnscaled(text, options.rendering);
  const magnitude = unscaled < 0n ? -unscaled : unscaled;
  if (options.precision !== undefined && magnitude >= 10n ** BigInt(options.precision)) {
    if (looksDecimal) return text;
    throw badDecimal(`decimal bytes hold more than ${options.precision} digits`);
  }
  return formatUnscaled(unscaled, options.scale);
};
