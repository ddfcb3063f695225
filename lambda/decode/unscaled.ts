import { ErrorCode, PoisonRecordError } from '../errors.js';

/** A decimal's unscaled value as Kafka Connect writes it: big-endian two's-complement bytes. */

export const badDecimal = (message: string): PoisonRecordError =>
  new PoisonRecordError(ErrorCode.BAD_DECIMAL, message);

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Avro's JSON encoding of bytes is one character per byte, U+0000..U+00FF: anything above is not a byte. */
const NOT_A_BYTE = /[\u0100-\u{10ffff}]/u;

/** Canonical, padded base64: what JsonConverter (and Jackson) write for bytes. */
export const isCanonicalBase64 = (text: string): boolean => text.length % 4 === 0 && BASE64.test(text);

const fromBytes = (bytes: Buffer): bigint => {
  if (bytes.length === 0) throw badDecimal('decimal has no bytes');
  const unsigned = BigInt(`0x${bytes.toString('hex')}`);
  const negative = (bytes[0] as number) >= 0x80;
  return negative ? unsigned - (1n << BigInt(bytes.length * 8)) : unsigned;
};

export const unscaledFromBase64 = (base64: string): bigint => {
  if (!isCanonicalBase64(base64)) throw badDecimal('decimal bytes are not base64');
  return fromBytes(Buffer.from(base64, 'base64'));
};

/** `"\u0001\u00fb\u00cf"` (Avro JSON bytes) → 129999n. A character above U+00FF cannot be a byte. */
export const unscaledFromLatin1 = (text: string): bigint => {
  if (NOT_A_BYTE.test(text)) throw badDecimal('decimal bytes are neither base64 nor Avro JSON bytes');
  return fromBytes(Buffer.from(text, 'latin1'));
};

/** Places the decimal point without ever going through a float: 129999n, 2 → "1299.99". */
export const formatUnscaled = (unscaled: bigint, scale: number): string => {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${whole}` : whole;
};
