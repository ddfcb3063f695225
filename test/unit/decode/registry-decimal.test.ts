import { describe, expect, it } from 'vitest';
import { decodeDecimal } from '../../../lambda/decode/decimal.js';
import { decodeRegistryDecimalString, registryUnscaled } from '../../../lambda/decode/registry-decimal.js';
import { ValueRendering } from '../../../lambda/decode/value-rendering.js';
import { ErrorCode } from '../../../lambda/errors.js';
import { captureError, expectPoison } from '../support/errors.js';

/** The contract's price NUMERIC(10,2), as a registry-converted value leaves it to the decoder. */
const PLAIN = { scale: 2, precision: 10, rendering: ValueRendering.REGISTRY_PLAIN } as const;
const AVRO_JSON = { scale: 2, precision: 10, rendering: ValueRendering.AVRO_JSON } as const;

/** Big-endian two's-complement bytes of `value`, one char per byte (Avro JSON bytes), built independently. */
const avroBytes = (value: bigint, width: number): string => {
  const unsigned = value < 0n ? (1n << BigInt(width * 8)) + value : value;
  return Buffer.from(unsigned.toString(16).padStart(width * 2, '0'), 'hex').toString('latin1');
};

describe('decodeRegistryDecimalString', () => {
  it.each([
    ['Avro JSON bytes of 1299.99', avroBytes(129_999n, 3), '1299.99'],
    ['Avro JSON bytes of -1299.99', avroBytes(-129_999n, 3), '-1299.99'],
    ['Avro JSON bytes of 0.00', '\u0000', '0.00'],
    ['base64 of 1299.99', 'AfvP', '1299.99'],
    ['a decimal string with the column scale', '1299.99', '1299.99'],
    ['a short decimal string with the column scale', '0.53', '0.53'],
    ['a decimal string whose bytes would exceed 10 digits', '1299.9', '1299.9'],
    ['a five-character decimal string with another scale', '129.9', '129.9'],
    ['digits whose bytes would exceed 10 digits', '129999', '129999'],
    ['bytes ending like a decimal with the column scale', '\u00011.00', '51200778.72'],
    ['digits with another scale, short enough to be bytes', '12.5', '8253722.13'],
    ['the byte 0x35, which is the digit 5', '5', '0.53'],
    [
      'Avro JSON bytes of 99,999,999.99 (the NUMERIC(10,2) maximum)',
      avroBytes(9_999_999_999n, 5),
      '99999999.99',
    ],
  ])('reads %s in plain renderings', (_label, text, expected) => {
    // Act
    const decimal = decodeRegistryDecimalString(text, PLAIN);

    // Assess
    expect(decimal).toBe(expected);
  });

  it('reads base64-looking text as Avro JSON bytes in Avro JSON renderings, as the Avro specification says', () => {
    // Prepare
    const text = 'AfvP';

    // Act
    const decimal = decodeRegistryDecimalString(text, AVRO_JSON);

    // Assess
    expect(decimal).toBe(formatExpected(Buffer.from(text, 'latin1')));
  });

  it.each([
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
    ['bytes starting like a decimal but beyond 10 digits', '12.50\u0001'],
    ['bytes of -10,000,000,000 (11 digits)', avroBytes(-10_000_000_000n, 5)],
    ['a character above U+00FF', 'Ā'],
    ['no bytes', ''],
    ['bytes of 10,000,000,000 (11 digits)', avroBytes(10_000_000_000n, 5)],
  ])('refuses %s as BAD_DECIMAL', (_label, text) => {
    // Act
    const error = captureError(() => decodeRegistryDecimalString(text, PLAIN));

    // Assess
    expectPoison(error, ErrorCode.BAD_DECIMAL);
  });

  it.each([
    ['5', '5'],
    ['12.5', '12.5'],
  ])('reads the decimal-looking %s as text when the column precision is unknown', (text, expected) => {
    // Act
    const decimal = decodeRegistryDecimalString(text, { ...PLAIN, precision: undefined });

    // Assess
    expect(decimal).toBe(expected);
  });

  it.each([
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
  ])('refuses %s as BAD_DECIMAL when the column precision is unknown', (_label, text) => {
    // Act
    const error = captureError(() => decodeRegistryDecimalString(text, { ...PLAIN, precision: undefined }));

    // Assess
    expectPoison(error, ErrorCode.BAD_DECIMAL);
  });

  it('checks no precision when the column precision is unknown', () => {
    // Prepare
    const text = avroBytes(10n ** 20n, 9);

    // Act
    const decimal = decodeRegistryDecimalString(text, { ...PLAIN, precision: undefined });

    // Assess
    expect(decimal).toBe('1000000000000000000.00');
  });
});

describe('registryUnscaled', () => {
  it('reads text outside the base64 alphabet as Avro JSON bytes in plain renderings', () => {
    // Act
    const unscaled = registryUnscaled('\u00ff', ValueRendering.REGISTRY_PLAIN);

    // Assess
    expect(unscaled).toBe(-1n);
  });
});

describe('decodeDecimal with a registry rendering', () => {
  it.each([
    ['a number', 12.5, '12.50'],
    ['a VariableScaleDecimal with Avro JSON bytes', { scale: 1, value: '\u0004\u00e2' }, '125.0'],
    ['a VariableScaleDecimal with base64 bytes', { scale: 2, value: 'BOI=' }, '12.50'],
    ['Avro JSON bytes', '\u0004\u00e2', '12.50'],
  ])('decodes %s', (_label, value, expected) => {
    // Act
    const decimal = decodeDecimal(
      value,
      undefined,
      { scale: 2, precision: 10 },
      ValueRendering.REGISTRY_PLAIN,
    );

    // Assess
    expect(decimal).toBe(expected);
  });

  it('keeps the JSON converter’s rules when the rendering is not a registry’s', () => {
    // Act
    const error = captureError(() => decodeDecimal('\u0004\u00e2', undefined, 2));

    // Assess
    expectPoison(error, ErrorCode.BAD_DECIMAL);
  });
});

/** The unscaled value of `bytes` at scale 2, computed independently of the code under test. */
function formatExpected(bytes: Buffer): string {
  const unscaled = BigInt(`0x${bytes.toString('hex')}`);
  const digits = unscaled.toString().padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
