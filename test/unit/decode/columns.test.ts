import { describe, expect, it } from 'vitest';
import {
  isNotSent,
  isUnavailable,
  keyRow,
  readId,
  readInteger,
  readString,
} from '../../../lambda/decode/columns.js';
import { ErrorCode } from '../../../lambda/errors.js';
import { captureError, expectPoison } from '../support/errors.js';
import { loadFixture, toBase64Json } from '../support/records.js';

describe('column readers', () => {
  it.each([
    ['the TOAST placeholder', '__debezium_unavailable_value', true],
    ['its base64 form', 'X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==', true],
    ['ordinary text', 'High-performance laptop', false],
    ['null', null, false],
  ])('isUnavailable(%s) is %s', (_label, value, expected) => {
    // Prepare
    const input: unknown = value;

    // Act
    const result = isUnavailable(input);

    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    [undefined, true],
    [null, true],
    ['__debezium_unavailable_value', true],
    ['', false],
    [0, false],
  ])('isNotSent(%j) is %s', (value, expected) => {
    // Prepare
    const input: unknown = value;

    // Act
    const result = isNotSent(input);

    // Assess
    expect(result).toBe(expected);
  });

  it('reads present values and returns undefined for absent ones', () => {
    // Prepare
    const row = { id: 1001, name: 'Laptop', stock_quantity: 0, description: '__debezium_unavailable_value' };

    // Act
    const values = [
      readId(row, 'id'),
      readId(row, 'missing'),
      readString(row, 'name'),
      readString(row, 'description'),
      readInteger(row, 'stock_quantity'),
    ];

    // Assess
    expect(values).toEqual([1001, undefined, 'Laptop', undefined, 0]);
  });

  it.each([0, -4, -2147483648, 2147483647])('accepts id %i: every INTEGER is an id', (id) => {
    // Prepare
    const row = { id };

    // Act
    const value = readId(row, 'id');

    // Assess
    expect(value).toBe(id);
  });

  it.each([
    ['a fraction', -0.5],
    ['beyond 2^53', -(2 ** 53)],
    ['a string', '-4'],
  ])('refuses an id that is %s', (_label, id) => {
    // Prepare
    const row = { id };

    // Act
    const error = captureError(() => readId(row, 'id'));

    // Assess
    expectPoison(error, ErrorCode.INVALID_FIELD);
    expect((error as Error).message).toMatch(/^Column 'id' must be a safe integer, got /);
  });
});

describe('keyRow', () => {
  it('reads a plain JSON key', () => {
    // Prepare
    const key = toBase64Json(loadFixture('key-products-1003.json'));

    // Act
    const row = keyRow(key);

    // Assess
    expect(row).toEqual({ id: 1003 });
  });

  it('reads a key wrapped in {schema, payload}', () => {
    // Prepare
    const key = toBase64Json(loadFixture('key-products-1004-schema.json'));

    // Act
    const row = keyRow(key);

    // Assess
    expect(row).toEqual({ id: 1004 });
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
    ['a JSON number', toBase64Json(1003)],
  ])('returns an empty row for a %s key', (_label, key) => {
    // Prepare
    const input = key;

    // Act
    const row = keyRow(input);

    // Assess
    expect(row).toEqual({});
  });
});
