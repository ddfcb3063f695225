import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../lambda/decode/decode-record.js';
import { ErrorCode, isPoisonRecordError } from '../../../lambda/errors.js';
import { topicConfig } from '../support/records.js';
import {
  loadRegistryFixture,
  REGISTRY_RENDERINGS,
  REGISTRY_TWINS,
  type RegistryRendering,
  registryRecord,
} from './registry-fixtures.js';

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
const BRANCHES = ['int', 'long', 'float', 'double', 'boolean', 'bytes', 'string', 'null', 'record'];
const NAMED = ['dbserver1.public.products.Value', 'io.debezium.data.VariableScaleDecimal', 'a.b'];

/** Text that looks like bytes: any U+0000..U+00FF chars, some above, digits, base64. */
const byteText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)) }),
  fc.string({ unit: 'binary' }),
  fc.stringMatching(/^-?\d{1,12}(\.\d{1,4})?$/),
  fc.base64String(),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '', '__debezium_unavailable_value'),
);

/** Anything JSON can hold, with union-shaped objects (right and wrong) and VariableScaleDecimal structs. */
const hostile: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    byteText,
    fc
      .record({ branch: fc.constantFrom(...BRANCHES, ...NAMED), inner: tie('value') })
      .map(({ branch, inner }) => ({
        [branch]: inner,
      })),
    fc.record({ scale: fc.oneof(fc.integer({ min: -2, max: 40 }), fc.jsonValue()), value: byteText }),
    fc.constant(JSON.parse('{"__proto__":{"polluted":true}}') as unknown),
  ),
})).value;

type Place = (json: Record<string, unknown>, value: unknown) => void;

/** The row of a fixture whichever rendering it is in. */
const rowOf = (json: Record<string, unknown>, image: 'after' | 'before'): Record<string, unknown> => {
  const held = json[image] as Record<string, unknown>;
  const named = Object.keys(held).find((key) => key.includes('.'));
  return (named === undefined ? held : held[named]) as Record<string, unknown>;
};

const column =
  (name: string): Place =>
  (json, value) => {
    rowOf(json, json.op === 'd' ? 'before' : 'after')[name] = value;
  };

const PLACES: Readonly<Record<string, Place>> = {
  price: column('price'),
  stock_quantity: column('stock_quantity'),
  name: column('name'),
  description: column('description'),
  updated_at: column('updated_at'),
  id: column('id'),
  quantity: column('quantity'),
  product_id: column('product_id'),
  after: (json, value) => {
    json[json.op === 'd' ? 'before' : 'after'] = value;
  },
  'source.lsn': (json, value) => {
    (json.source as Record<string, unknown>).lsn = value;
  },
  'source.sequence': (json, value) => {
    (json.source as Record<string, unknown>).sequence = value;
  },
  ts_ms: (json, value) => {
    json.ts_ms = value;
  },
};

describe('decodeRecord on registry-converted values with hostile unions and decimals', () => {
  it('either decodes or throws a poison error with a known code, and never touches a prototype', () => {
    // Prepare
    const tally: Record<string, number> = {};
    const caseArb = fc.record({
      fixture: fc.constantFrom(...REGISTRY_TWINS),
      rendering: fc.constantFrom<RegistryRendering>(...REGISTRY_RENDERINGS),
      place: fc.constantFrom(...Object.keys(PLACES)),
      value: hostile,
      metadata: fc.boolean(),
    });

    // Act / Assess
    fc.assert(
      fc.property(caseArb, ({ fixture, rendering, place, value, metadata }) => {
        const json = loadRegistryFixture(fixture.name, rendering);
        (PLACES[place] as Place)(json, value);
        const record = registryRecord(json, {
          topic: fixture.topic,
          key: fixture.key,
          ...(metadata ? {} : { metadata: null }),
        });
        let outcome: string;
        try {
          outcome = decodeRecord(record, topicConfig).type;
        } catch (error) {
          expect(isPoisonRecordError(error), String(error)).toBe(true);
          expect(KNOWN_CODES.has((error as { code: string }).code)).toBe(true);
          outcome = (error as { code: string }).code;
        }
        tally[outcome] = (tally[outcome] ?? 0) + 1;
      }),
      { numRuns: 3_000 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Both sides were exercised: hostile values decoded (odd but valid) and were refused.
    expect(Object.keys(tally).filter((key) => KNOWN_CODES.has(key)).length).toBeGreaterThan(2);
    expect((tally.ProductUpserted ?? 0) + (tally.OrderItemCreated ?? 0)).toBeGreaterThan(0);
  });
});
