import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJsonPayload, isJsonObject } from '../../../lambda/decode/payload.js';
import { ErrorCode } from '../../../lambda/errors.js';
import { captureError, expectPoison } from '../support/errors.js';
import { toBase64Bytes, toBase64Json } from '../support/records.js';

describe('decodeJsonPayload', () => {
  it('decodes base64 UTF-8 JSON, keeping non-ASCII text', () => {
    // Prepare
    const base64 = toBase64Json({ id: 1001, name: 'Café crème – 12″' });

    // Act
    const json = decodeJsonPayload(base64, 'value');

    // Assess
    expect(json).toEqual({ id: 1001, name: 'Café crème – 12″' });
  });

  it('decodes JSON that is not an object (the envelope step judges it)', () => {
    // Prepare
    const base64 = Buffer.from('[1,2]').toString('base64');

    // Act
    const json = decodeJsonPayload(base64, 'value');

    // Assess
    expect(json).toEqual([1, 2]);
  });

  it('rejects an empty payload as EMPTY_VALUE, not a tombstone', () => {
    // Prepare
    const base64 = '';

    // Act
    const error = captureError(() => decodeJsonPayload(base64, 'value'));

    // Assess
    expectPoison(error, ErrorCode.EMPTY_VALUE);
    expect((error as Error).message).toBe('Kafka value is present but empty (not a tombstone)');
  });

  it.each([
    ['a length that is not a multiple of 4', 'eyJpZCI6MX0'],
    ['characters outside the alphabet', 'eyJp$CI6MX0='],
    ['base64url characters', 'eyJ-ZCI6MX0='],
    ['padding in the middle', 'ey==ZCI6MX0='],
    ['three padding characters', 'eyJ==='],
    ['whitespace', 'eyJp ZCI6MX0='],
    // Node's decoder reads only the low byte of a wider character: U+0B2D would pass as '-', U+0141 as 'A'.
    ['a wide character whose low byte is in the alphabet', '+//\u0b2d'],
    ['a wide character that would read as a letter', 'eyJp\u0141CI6MX0='],
    ['a Latin-1 character', 'eyJp\u00c1CI6MX0='],
  ])('rejects %s as INVALID_BASE64', (_label, base64) => {
    // Prepare
    const what = 'value' as const;

    // Act
    const error = captureError(() => decodeJsonPayload(base64, what));

    // Assess
    expectPoison(error, ErrorCode.INVALID_BASE64);
  });

  it('names the key when the key is bad', () => {
    // Prepare
    const base64 = 'abc';

    // Act
    const error = captureError(() => decodeJsonPayload(base64, 'key'));

    // Assess
    expectPoison(error, ErrorCode.INVALID_BASE64);
    expect((error as Error).message).toBe('Kafka key is not valid base64');
  });

  it.each([
    ['a lone continuation byte', [0x7b, 0x80, 0x7d]],
    ['bytes that never occur in UTF-8', [0xff, 0xfe, 0xfd]],
    ['a truncated multi-byte sequence', [0x22, 0xe2, 0x82, 0x22]],
  ])('rejects %s as INVALID_UTF8', (_label, bytes) => {
    // Prepare
    const base64 = toBase64Bytes(bytes);

    // Act
    const error = captureError(() => decodeJsonPayload(base64, 'value'));

    // Assess
    expectPoison(error, ErrorCode.INVALID_UTF8);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it.each([
    ['truncated JSON', '{"op":"c","after":{"id":1'],
    ['plain text', 'hello world'],
    ['a trailing comma', '{"id":1,}'],
  ])('rejects %s as INVALID_JSON, keeping the parser error as cause', (_label, text) => {
    // Prepare
    const base64 = Buffer.from(text).toString('base64');

    // Act
    const error = captureError(() => decodeJsonPayload(base64, 'value'));

    // Assess
    expectPoison(error, ErrorCode.INVALID_JSON);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });
});

describe('decodeJsonPayload base64 validation', () => {
  /** The rule as first written: canonical alphabet, padding only at the end, length a multiple of 4. */
  const isCanonicalBase64 = (text: string): boolean =>
    text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);

  it('refuses exactly the values that are not canonical base64', () => {
    const alphabet = fc.constantFrom(...'AQgw/+9z=-_ $é\n\u0b2d\u0141\u012b'.split(''), 'e', 'y', 'J', '0');
    const base64Like = fc.oneof(
      fc.string({ unit: alphabet, minLength: 1, maxLength: 16 }),
      fc.uint8Array({ minLength: 1, maxLength: 12 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    );
    fc.assert(
      fc.property(base64Like, (text) => {
        // Prepare
        const expectRefused = !isCanonicalBase64(text);

        // Act
        let code: string | undefined;
        try {
          decodeJsonPayload(text, 'value');
        } catch (error) {
          code = (error as { code?: string }).code;
        }

        // Assess
        const refused = code === ErrorCode.INVALID_BASE64;
        expect(refused).toBe(expectRefused);
      }),
      { numRuns: 2_000 },
    );
  });

  it('decodes any Unicode text exactly as Buffer encoded it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        // Prepare
        const json = { name: text };

        // Act
        const decoded = decodeJsonPayload(toBase64Json(json), 'value');

        // Assess
        expect(decoded).toEqual(json);
      }),
      { numRuns: 1_000 },
    );
  });

  it.each([
    ['ASCII', 'x'],
    ['non-ASCII', 'Crème brûlée, 日本語 '],
  ])('decodes a %s value larger than the reused scratch buffer', (_label, text) => {
    // Prepare
    const json = { id: 1, description: text.repeat(100_000 / text.length) };

    // Act
    const decoded = decodeJsonPayload(toBase64Json(json), 'value');

    // Assess
    expect(decoded).toEqual(json);
  });
});

describe('isJsonObject', () => {
  it.each([
    [{}, true],
    [{ a: 1 }, true],
    [null, false],
    [[], false],
    ['x', false],
    [1, false],
  ])('classifies %j as %s', (value, expected) => {
    // Prepare
    const input: unknown = value;

    // Act
    const result = isJsonObject(input);

    // Assess
    expect(result).toBe(expected);
  });
});
