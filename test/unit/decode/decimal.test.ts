import { describe, expect, it } from 'vitest';
import {
  DECIMAL_SCHEMA,
  decodeDecimal,
  type FieldSchema,
  formatUnscaled,
  VARIABLE_SCALE_DECIMAL_SCHEMA,
} from '../../../lambda/decode/decimal.js';
import { ErrorCode, PoisonRecordError } from '../../../lambda/errors.js';
import { captureError, expectPoison } from '../support/errors.js';

/** The schema Debezium sends for NUMERIC(10,2) in precise mode: the scale is a string. */
const preciseSchema = (scale: string): FieldSchema => ({
  type: 'bytes',
  name: DECIMAL_SCHEMA,
  parameters: { scale, 'connect.decimal.precision': '10' },
});

/** Big-endian two's-complement bytes of `value` in `width` bytes, as base64 (built independently of the code). */
const twosComplementBase64 = (value: bigint, width: number): string => {
  const unsigned = value < 0n ? (1n << BigInt(width * 8)) + value : value;
  return Buffer.from(unsigned.toString(16).padStart(width * 2, '0'), 'hex').toString('base64');
};

describe('decodeDecimal, precise mode', () => {
  it.each([
    ['AfvP', '2', '1299.99'],
    ['BOI=', '2', '12.50'],
    ['/w==', '0', '-1'],
    ['/w==', '2', '-0.01'],
    ['AA==', '2', '0.00'],
    ['AA==', '0', '0'],
    ['gA==', '0', '-128'],
    ['AP8=', '0', '255'],
    ['/zg=', '2', '-2.00'],
    ['/gQx', '2', '-1299.99'],
    ['AfvP', '4', '12.9999'],
  ])('decodes %s with scale "%s" as %s', (base64, scale, expected) => {
    // Prepare
    const schema = preciseSchema(scale);

    // Act
    const decimal = decodeDecimal(base64, schema, 2);

    // Assess
    expect(decimal).toBe(expected);
  });

  it('keeps values beyond 2^53 exact', () => {
    // Prepare
    const unscaled = 12_345_678_901_234_567_890_123n;
    const base64 = twosComplementBase64(unscaled, 10);

    // Act
    const decimal = decodeDecimal(base64, preciseSchema('2'), 2);

    // Assess
    expect(base64).toBe('Ap1Ctk52cUJEyw==');
    expect(decimal).toBe('123456789012345678901.23');
  });

  it('keeps 2^63 and -2^63 exact, with and without a sign byte', () => {
    // Prepare
    const positive = twosComplementBase64(2n ** 63n, 9);
    const negative = twosComplementBase64(-(2n ** 63n), 8);

    // Act
    const decodedPositive = decodeDecimal(positive, preciseSchema('2'), 2);
    const decodedNegative = decodeDecimal(negative, preciseSchema('0'), 2);

    // Assess
    expect(positive).toBe('AIAAAAAAAAAA');
    expect(decodedPositive).toBe('92233720368547758.08');
    expect(decodedNegative).toBe('-9223372036854775808');
  });

  it('takes the scale from the schema, not from the default', () => {
    // Prepare
    const schema = preciseSchema('3');

    // Act
    const decimal = decodeDecimal('AfvP', schema, 2);

    // Assess
    expect(decimal).toBe('129.999');
  });

  it('accepts a numeric scale in the schema parameters', () => {
    // Prepare
    const schema: FieldSchema = { type: 'bytes', name: DECIMAL_SCHEMA, parameters: { scale: 2 } };

    // Act
    const decimal = decodeDecimal('BOI=', schema, 0);

    // Assess
    expect(decimal).toBe('12.50');
  });

  it('decodes a digits-only value as bytes when the schema says Decimal', () => {
    // Prepare: "1234" looks like a decimal string but is valid base64 of 0xD76DF8 (negative)
    const schema = preciseSchema('0');

    // Act
    const decimal = decodeDecimal('1234', schema, 2);

    // Assess
    expect(decimal).toBe(String(0xd76df8 - 0x1000000));
  });

  it('decodes bytes when the schema type is bytes without a Decimal name', () => {
    // Prepare
    const schema: FieldSchema = { type: 'bytes', parameters: { scale: '2' } };

    // Act
    const decimal = decodeDecimal('AfvP', schema, 0);

    // Assess
    expect(decimal).toBe('1299.99');
  });
});

describe('decodeDecimal, schemaless', () => {
  it('reads a non-decimal-looking string as base64 with the default scale (PRICE_SCALE)', () => {
    // Prepare
    const defaultScale = 2;

    // Act
    const decimal = decodeDecimal('AfvP', undefined, defaultScale);

    // Assess
    expect(decimal).toBe('1299.99');
  });

  it('honours a different default scale', () => {
    // Prepare
    const defaultScale = 3;

    // Act
    const decimal = decodeDecimal('BOI=', undefined, defaultScale);

    // Assess
    expect(decimal).toBe('1.250');
  });

  it('keeps a decimal-looking string as sent', () => {
    // Prepare
    const value = '1299.99';

    // Act
    const decimal = decodeDecimal(value, undefined, 2);

    // Assess
    expect(decimal).toBe('1299.99');
  });
});

describe('decodeDecimal, string mode', () => {
  it.each([
    ['1299.99', '1299.99'],
    ['12.5', '12.5'],
    ['12.500', '12.500'],
    ['-0.01', '-0.01'],
    ['0', '0'],
    ['123456789012345678901.23', '123456789012345678901.23'],
  ])('keeps %s as sent', (value, expected) => {
    // Prepare
    const schema: FieldSchema = { type: 'string' };

    // Act
    const decimal = decodeDecimal(value, schema, 2);

    // Assess
    expect(decimal).toBe(expected);
  });

  it('rejects NaN (a NUMERIC special value) as BAD_DECIMAL', () => {
    // Prepare
    const schema: FieldSchema = { type: 'string' };

    // Act
    const error = captureError(() => decodeDecimal('NaN', schema, 2));

    // Assess
    expectPoison(error, ErrorCode.BAD_DECIMAL);
  });

  // BUG: lambda/decode/decimal.ts decodeDecimal falls back to base64 for any non-decimal-looking string even
  // when the field schema says type "string" (decimal.handling.mode=string); "Infinity" decodes to 378982984692.34.
  it('rejects a non-decimal string whose schema says string, instead of decoding it as base64', () => {
    // Prepare
    const schema: FieldSchema = { type: 'string' };

    // Act
    const error = captureError(() => decodeDecimal('Infinity', schema, 2));

    // Assess
    expectPoison(error, ErrorCode.BAD_DECIMAL);
  });
});

describe('decodeDecimal, double mode', () => {
  it.each([
    [1299.99, '1299.99'],
    [12.5, '12.50'],
    [1300, '1300.00'],
    [-3.5, '-3.50'],
    [0, '0.00'],
    [0.1 + 0.2, '0.30'],
  ])('formats %s with the default scale as %s', (value, expected) => {
    // Prepare
    const schema: FieldSchema = { type: 'double' };

    // Act
    const decimal = decodeDecimal(value, schema, 2);

    // Assess
    expect(decimal).toBe(expected);
  });

  it('formats with the schema scale when the schema carries one', () => {
    // Prepare
    const schema: FieldSchema = { type: 'double', parameters: { scale: '3' } };

    // Act
    const decimal = decodeDecimal(12.5, schema, 2);

    // Assess
    expect(decimal).toBe('12.500');
  });

  it.each([Number.POSITIVE_INFINITY, Number.NaN, 1e21, -1e22])('rejects %s as BAD_DECIMAL', (value) => {
    // Prepare
    const schema: FieldSchema = { type: 'double' };

    // Act
    const error = captureError(() => decodeDecimal(value, schema, 2));

    // Assess
    expectPoison(error, ErrorCode.BAD_DECIMAL);
  });
});

describe('decodeDecimal, VariableScaleDecimal', () => {
  it.each([
    [{ scale: 2, value: 'AfvP' }, '1299.99'],
    [{ scale: 3, value: 'AfvP' }, '129.999'],
    [{ scale: 0, value: '/w==' }, '-1'],
    [{ scale: 5, value: 'AA==' }, '0.00000'],
    [{ scale: '2', value: 'BOI=' }, '12.50'],
  ])('decodes %j as %s, ignoring the default scale', (value, expected) => {
    // Prepare
    const schema: FieldSchema = { type: 'struct', name: VARIABLE_SCALE_DECIMAL_SCHEMA };

    // Act
    const decimal = decodeDecimal(value, schema, 7);

    // Assess
    expect(decimal).toBe(expected);
  });

  it.each([
    [{ scale: 2 }],
    [{ scale: 2, value: 42 }],
    [{ scale: -1, value: 'AfvP' }],
    [{ scale: 39, value: 'AfvP' }],
    [{ scale: 1.5, value: 'AfvP' }],
    [{ value: 'AfvP' }],
    [{ scale: 2, value: 'not base64!' }],
  ])('rejects %j as BAD_DECIMAL', (value) => {
    // Prepare
    const schema: FieldSchema = { type: 'struct', name: VARIABLE_SCALE_DECIMAL_SCHEMA };

    // Act
    const error = captureError(() => decodeDecimal(value, schema, 2));

    // Assess
    expectPoison(error, ErrorCode.BAD_DECIMAL);
  });
});

describe('decodeDecimal, bad input', () => {
  it.each([
    ['null', null],
    ['a boolean', true],
    ['an array', ['AfvP']],
    ['an empty string', ''],
    ['text that is neither decimal nor base64', 'twelve'],
    ['base64 with a bad length', 'AfvPA'],
    ['base64 with illegal characters', 'Af$P'],
    ['padding only', '===='],
  ])('rejects %s as BAD_DECIMAL', (_label, value) => {
    // Prepare
    const schema = preciseSchema('2');

    // Act
    const error = captureError(() => decodeDecimal(value, schema, 2));

    // Assess
    expectPoison(error, ErrorCode.BAD_DECIMAL);
  });

  it.each(['-1', '39', 'two', '2.5', ''])('rejects schema scale "%s" as BAD_DECIMAL', (scale) => {
    // Prepare
    const schema = preciseSchema(scale);

    // Act
    const error = captureError(() => decodeDecimal('AfvP', schema, 2));

    // Assess
    expectPoison(error, ErrorCode.BAD_DECIMAL);
  });

  it('names the failure in the message without leaking a generic Error', () => {
    // Prepare
    const schema = preciseSchema('2');

    // Act
    const error = captureError(() => decodeDecimal('Af$P', schema, 2));

    // Assess
    expect(error).toBeInstanceOf(PoisonRecordError);
    expect((error as PoisonRecordError).name).toBe('PoisonRecordError');
    expect((error as PoisonRecordError).message).toBe('decimal bytes are not base64');
  });
});

describe('formatUnscaled', () => {
  it.each([
    [129_999n, 2, '1299.99'],
    [5n, 2, '0.05'],
    [-5n, 2, '-0.05'],
    [0n, 0, '0'],
    [-42n, 0, '-42'],
    [1n, 38, `0.${'0'.repeat(37)}1`],
  ])('places the point of %s at scale %s: %s', (unscaled, scale, expected) => {
    // Prepare
    const input = { unscaled, scale };

    // Act
    const text = formatUnscaled(input.unscaled, input.scale);

    // Assess
    expect(text).toBe(expected);
  });
});

describe('decodeDecimal, what the schema says', () => {
  it.each([
    ['a bytes schema without a name', { type: 'bytes' }, 'AfvP', '1299.99'],
    ['a Decimal name without a type', { name: DECIMAL_SCHEMA }, 'AfvP', '1299.99'],
    ['a bytes schema, digits that are base64', { type: 'bytes' }, '1234', '-26588.24'],
    ['a Decimal name, digits that are base64', { name: DECIMAL_SCHEMA }, '1234', '-26588.24'],
  ])('reads base64 under %s', (_label, schema, value, expected) => {
    // Act
    const decimal = decodeDecimal(value, schema as FieldSchema, 2);

    // Assess
    expect(decimal).toBe(expected);
  });

  it.each([
    ['Infinity', undefined],
    ['NaN', undefined],
    ['AfvP', { type: 'string' }],
  ])('refuses %s as BAD_DECIMAL (schema %j)', (value, schema) => {
    // Act
    const error = captureError(() => decodeDecimal(value, schema as FieldSchema | undefined, 2));

    // Assess
    expectPoison(error, ErrorCode.BAD_DECIMAL);
  });
});
