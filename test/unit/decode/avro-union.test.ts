import { describe, expect, it } from 'vitest';
import { unwrapFieldUnions, unwrapRowUnion, unwrapUnion } from '../../../lambda/decode/avro-union.js';
import { ErrorCode } from '../../../lambda/errors.js';
import { captureError, expectPoison } from '../support/errors.js';

describe('unwrapUnion', () => {
  it.each([
    ['an int', { int: 5 }, 5],
    [
      'a long beyond 2^53 (rounded by JSON.parse, still integral)',
      { long: 1_736_937_000_456_789_000 },
      1_736_937_000_456_789_000,
    ],
    ['a string', { string: 'x' }, 'x'],
    ['bytes', { bytes: '\u0001\u00fb\u00cf' }, '\u0001\u00fb\u00cf'],
    ['a boolean', { boolean: false }, false],
    ['a double', { double: 12.5 }, 12.5],
    ['a NaN float as Jackson writes it', { float: 'NaN' }, 'NaN'],
    ['an infinite float', { float: 'Infinity' }, 'Infinity'],
    ['a negative infinite float', { float: '-Infinity' }, '-Infinity'],
    ['a NaN double', { double: 'NaN' }, 'NaN'],
    ['an infinite double', { double: 'Infinity' }, 'Infinity'],
    ['a negative infinite double', { double: '-Infinity' }, '-Infinity'],
    [
      'a named record',
      { 'io.debezium.data.VariableScaleDecimal': { scale: 2, value: 'AA==' } },
      { scale: 2, value: 'AA==' },
    ],
    ['a named enum', { 'shop.Colour': 'RED' }, 'RED'],
  ])('unwraps %s', (_label, value, expected) => {
    // Act
    const plain = unwrapUnion(value, 'column');

    // Assess
    expect(plain).toEqual(expected);
  });

  it.each([
    ['a plain number', 5],
    ['null', null],
    ['an object with two keys', { int: 1, long: 2 }],
    ['an object whose one key is no type name', { id: 1003 }],
    ['a __proto__ key', JSON.parse('{"__proto__":{"int":1}}') as unknown],
    ['an array', [{ int: 1 }]],
    ['an empty object', {}],
  ])('returns %s as it is', (_label, value) => {
    // Act
    const plain = unwrapUnion(value, 'column');

    // Assess
    expect(plain).toBe(value);
  });

  it.each([
    ['int', '5'],
    ['int', 1.5],
    ['long', null],
    ['string', 5],
    ['bytes', ['a']],
    ['boolean', 'true'],
    ['double', 'twelve'],
    ['double', ''],
    ['float', ''],
    ['float', 'inf'],
    ['dbserver1.public.products.Value', 7],
  ])("refuses a '%s' branch holding %j as INVALID_FIELD", (branch, inner) => {
    // Act
    const error = captureError(() => unwrapUnion({ [branch]: inner }, 'price'));

    // Assess
    expectPoison(error, ErrorCode.INVALID_FIELD);
    expect((error as Error).message).toContain("'price'");
  });
});

describe('unwrapRowUnion', () => {
  it('unwraps a row held in its named record branch', () => {
    // Prepare
    const row = { id: 1001, name: 'Laptop' };

    // Act
    const unwrapped = unwrapRowUnion({ 'dbserver1.public.products.Value': row });

    // Assess
    expect(unwrapped).toBe(row);
  });

  it.each([
    ['a key-only before image', { id: 1003 }],
    ['a primitive branch', { string: 'x' }],
    ['a named branch holding no object', { 'dbserver1.public.products.Value': 'x' }],
    ['null', null],
  ])('leaves %s for the caller', (_label, image) => {
    // Act
    const unwrapped = unwrapRowUnion(image);

    // Assess
    expect(unwrapped).toBe(image);
  });
});

describe('unwrapFieldUnions', () => {
  it('returns the same row when no column is union-wrapped', () => {
    // Prepare
    const row = { id: 1, description: null, price: 'AfvP', cost: { scale: 2, value: 'AA==' } };

    // Act
    const unwrapped = unwrapFieldUnions(row);

    // Assess
    expect(unwrapped).toBe(row);
  });

  it('unwraps every wrapped column into a copy and leaves the original alone', () => {
    // Prepare
    const row = { id: 1, description: { string: 'd' }, __deleted: { string: 'false' }, updated_at: 5 };

    // Act
    const unwrapped = unwrapFieldUnions(row);

    // Assess
    expect(unwrapped).toEqual({ id: 1, description: 'd', __deleted: 'false', updated_at: 5 });
    expect(row.description).toEqual({ string: 'd' });
  });

  it('keeps a column named __proto__ an own property and touches no prototype', () => {
    // Prepare
    const row = JSON.parse(
      '{"__proto__":{"dbserver1.x.Value":{"polluted":1}},"name":{"string":"n"}}',
    ) as Record<string, unknown>;

    // Act
    const unwrapped = unwrapFieldUnions(row);

    // Assess
    expect(Object.getPrototypeOf(unwrapped)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(unwrapped, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(unwrapped.name).toBe('n');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a malformed union in any column as INVALID_FIELD', () => {
    // Act
    const error = captureError(() => unwrapFieldUnions({ id: 1, stock_quantity: { int: 'many' } }));

    // Assess
    expectPoison(error, ErrorCode.INVALID_FIELD);
  });
});
