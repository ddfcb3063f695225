import { describe, expect, it } from 'vitest';
import { DECIMAL_SCHEMA } from '../../../lambda/decode/decimal.js';
import { parseChange, type RowChange, unwrapSchemaEnvelope } from '../../../lambda/decode/envelope.js';
import { ErrorCode } from '../../../lambda/errors.js';
import { captureError, expectPoison } from '../support/errors.js';
import { loadFixture } from '../support/records.js';

const asRow = (change: ReturnType<typeof parseChange>): RowChange => {
  expect(change?.kind).toBe('row');
  return change as RowChange;
};

describe('parseChange, schema envelope', () => {
  it('returns the after row, its column schemas and the source position of a create', () => {
    // Prepare
    const json = loadFixture('products-create-schema.json');

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.op).toBe('c');
    expect(change.row).toEqual({
      id: 1001,
      name: 'Laptop',
      description: 'High-performance laptop',
      price: 'AfvP',
      stock_quantity: 45,
      created_at: 1_736_936_400_000_000,
      updated_at: 1_736_937_000_123_456,
    });
    expect(change.position).toEqual({
      lsn: 24_023_128n,
      sequence: { lastCommitLsn: 24_023_120n, lsn: 24_023_128n },
      sourceTsMs: 1_736_937_000_123,
    });
    expect(change.eventTsMs).toBe(1_736_937_000_456);
    expect([...change.fieldSchemas.keys()]).toEqual([
      'id',
      'name',
      'description',
      'price',
      'stock_quantity',
      'created_at',
      'updated_at',
    ]);
    expect(change.fieldSchemas.get('price')).toMatchObject({
      name: DECIMAL_SCHEMA,
      parameters: { scale: '2' },
    });
    expect(change.fieldSchemas.get('updated_at')?.name).toBe('io.debezium.time.MicroTimestamp');
  });

  it('reads a snapshot row as op r', () => {
    // Prepare
    const json = loadFixture('products-snapshot-read.json');

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.op).toBe('r');
    expect(change.row.id).toBe(1002);
    expect(change.position).toEqual({
      lsn: 23_990_000n,
      sequence: { lastCommitLsn: undefined, lsn: 23_990_000n },
      sourceTsMs: 1_736_930_000_000,
    });
  });

  it('returns the before image of a delete, with its column schemas', () => {
    // Prepare
    const json = loadFixture('products-delete-schema.json');

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.op).toBe('d');
    expect(change.row.id).toBe(1003);
    expect(change.row.name).toBeNull();
    expect(change.fieldSchemas.get('price')?.name).toBe(DECIMAL_SCHEMA);
    expect(change.position).toEqual({
      lsn: 24_031_000n,
      sequence: { lastCommitLsn: 24_030_992n, lsn: 24_031_000n },
      sourceTsMs: 1_736_944_200_000,
    });
  });

  it('treats a schema envelope with a null payload as a tombstone', () => {
    // Prepare
    const json = { schema: { type: 'struct', fields: [] }, payload: null };

    // Act
    const change = parseChange(json);

    // Assess
    expect(change).toBeUndefined();
  });

  it('treats a bare JSON null as a tombstone', () => {
    // Prepare
    const json = null;

    // Act
    const change = parseChange(json);

    // Assess
    expect(change).toBeUndefined();
  });
});

describe('parseChange, bare envelope (schemas disabled)', () => {
  it('returns the after row of an update with no column schemas', () => {
    // Prepare
    const json = loadFixture('products-update-toast.json');

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.op).toBe('u');
    expect(change.row.name).toBe('Laptop Pro');
    expect(change.row.description).toBe('__debezium_unavailable_value');
    expect(change.fieldSchemas.size).toBe(0);
    expect(change.position).toMatchObject({ lsn: 24_023_480n, sourceTsMs: 1_736_940_600_250 });
    expect(change.eventTsMs).toBe(1_736_940_600_301);
  });

  it('returns an empty row for a delete whose before image is null (applied by key)', () => {
    // Prepare
    const json = loadFixture('products-delete-no-before.json');

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.op).toBe('d');
    expect(change.row).toEqual({});
    expect(change.position.lsn).toBe(24_031_200n);
  });

  it('reads an LSN sent as a digit string', () => {
    // Prepare
    const json = loadFixture('products-update-toast.json');
    (json.source as Record<string, unknown>).lsn = '24023480';

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.position.lsn).toBe(24_023_480n);
  });

  it('reads ts_usec when the source has no ts_ms (very old connectors)', () => {
    // Prepare
    const json = loadFixture('products-update-toast.json');
    const source = json.source as Record<string, unknown>;
    delete source.ts_ms;
    source.ts_usec = 1_736_940_600_250_999;

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.position.sourceTsMs).toBe(1_736_940_600_250);
  });

  it('falls back to the envelope ts_ms when the source has no time at all', () => {
    // Prepare
    const json = loadFixture('products-update-toast.json');
    delete (json.source as Record<string, unknown>).ts_ms;

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.position.sourceTsMs).toBe(1_736_940_600_301);
  });

  it.each([
    ['not JSON', '[24023472,'],
    ['one element', '["24023480"]'],
    ['a number that is not an LSN', '["-5","24023480"]'],
    ['an object', '{"lsn":1}'],
  ])(
    'refuses a sequence that is %s as INVALID_FIELD rather than ordering the change by a weaker rule',
    (_, sequence) => {
      // Prepare
      const json = loadFixture('products-update-toast.json');
      (json.source as Record<string, unknown>).sequence = sequence;

      // Act
      const error = captureError(() => parseChange(json));

      // Assess
      expectPoison(error, ErrorCode.INVALID_FIELD);
    },
  );

  it("reads an unwrapped row's __source_sequence", () => {
    // Prepare
    const row = { id: 1, name: 'x', __op: 'u', __lsn: 500, __source_sequence: '["400","500"]' };

    // Act
    const change = asRow(parseChange(row));

    // Assess
    expect(change.position.sequence).toEqual({ lastCommitLsn: 400n, lsn: 500n });
  });

  it('leaves the position empty when the source has neither lsn nor times', () => {
    // Prepare
    const json = { op: 'c', after: { id: 7 }, source: {} };

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.position).toEqual({ lsn: undefined, sequence: undefined, sourceTsMs: undefined });
    expect(change.eventTsMs).toBeUndefined();
  });

  it.each(['c', 'u', 'r'])('rejects op %s without an after row as MISSING_FIELD', (op) => {
    // Prepare
    const json = { op, before: null, after: null, source: { lsn: 1 } };

    // Act
    const error = captureError(() => parseChange(json));

    // Assess
    expectPoison(error, ErrorCode.MISSING_FIELD);
  });

  it('rejects a delete whose before image is not an object as MISSING_FIELD', () => {
    // Prepare
    const json = { op: 'd', before: 'id=1', after: null, source: { lsn: 1 } };

    // Act
    const error = captureError(() => parseChange(json));

    // Assess
    expectPoison(error, ErrorCode.MISSING_FIELD);
  });
});

describe('parseChange, rowless and unknown ops', () => {
  it('returns a rowless change for a truncate', () => {
    // Prepare
    const json = loadFixture('products-truncate.json');

    // Act
    const change = parseChange(json);

    // Assess
    expect(change).toEqual({
      kind: 'rowless',
      op: 't',
      position: {
        lsn: 24_040_000n,
        sequence: { lastCommitLsn: 24_039_992n, lsn: 24_040_000n },
        sourceTsMs: 1_736_950_000_000,
      },
    });
  });

  it('returns a rowless change for a logical decoding message', () => {
    // Prepare
    const json = {
      op: 'm',
      source: { lsn: 24_050_000 },
      message: { prefix: 'audit', content: 'aGVsbG8=' },
      ts_ms: 1,
    };

    // Act
    const change = parseChange(json);

    // Assess
    expect(change).toEqual({
      kind: 'rowless',
      op: 'm',
      position: { lsn: 24_050_000n, sequence: undefined, sourceTsMs: undefined },
    });
  });

  it.each([['x'], ['C'], [''], [1], [null]])('rejects op %j as UNKNOWN_OP', (op) => {
    // Prepare
    const json = { op, before: null, after: { id: 1 }, source: {} };

    // Act
    const error = captureError(() => parseChange(json));

    // Assess
    expectPoison(error, ErrorCode.UNKNOWN_OP);
  });
});

describe('parseChange, non-object JSON', () => {
  it.each([
    ['a number', 42],
    ['a string', 'dbserver1'],
    ['a boolean', true],
    ['an array', [{ op: 'c' }]],
    ['a schema envelope around an array', { schema: {}, payload: [1, 2] }],
    ['a schema envelope around a number', { schema: {}, payload: 3 }],
  ])('rejects %s as NOT_AN_OBJECT', (_label, json) => {
    // Prepare
    const value = json;

    // Act
    const error = captureError(() => parseChange(value));

    // Assess
    expectPoison(error, ErrorCode.NOT_AN_OBJECT);
  });
});

describe('parseChange, ExtractNewRecordState (unwrapped) rows', () => {
  it('reads __op, __lsn and __source_ts_ms of an unwrapped update', () => {
    // Prepare
    const json = loadFixture('products-unwrapped-update.json');

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.op).toBe('u');
    expect(change.row.id).toBe(1004);
    expect(change.row.price).toBe(49.9);
    expect(change.position).toEqual({ lsn: 24_032_000n, sequence: undefined, sourceTsMs: 1_736_945_000_000 });
    expect(change.eventTsMs).toBe(1_736_945_000_000);
    expect(change.fieldSchemas.size).toBe(0);
  });

  it('reads __deleted "true" as a delete', () => {
    // Prepare
    const json = loadFixture('products-unwrapped-delete.json');

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.op).toBe('d');
    expect(change.row.id).toBe(1004);
    expect(change.position).toEqual({ lsn: 24_033_000n, sequence: undefined, sourceTsMs: 1_736_946_000_000 });
  });

  it('reads __deleted true (boolean) as a delete even when __op says otherwise', () => {
    // Prepare
    const json = { id: 5, name: 'Cable', __op: 'u', __deleted: true };

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.op).toBe('d');
  });

  it('reads a row without __op or __deleted as an update with no position', () => {
    // Prepare
    const json = { id: 5, name: 'Cable', price: '9.99', stock_quantity: 3 };

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.op).toBe('u');
    expect(change.row).toEqual(json);
    expect(change.position).toEqual({ lsn: undefined, sequence: undefined, sourceTsMs: undefined });
    expect(change.eventTsMs).toBeUndefined();
  });

  it.each(['c', 'r'])('keeps __op %s of a row that is not deleted', (op) => {
    // Prepare
    const json = { id: 5, name: 'Cable', __op: op, __deleted: 'false' };

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.op).toBe(op);
  });

  it('prefers __ts_ms for the event time and __source_ts_ms for the position', () => {
    // Prepare
    const json = { id: 5, __op: 'u', __source_ts_ms: 1000, __ts_ms: 2000, __lsn: '77' };

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.position).toEqual({ lsn: 77n, sequence: undefined, sourceTsMs: 1000 });
    expect(change.eventTsMs).toBe(2000);
  });

  it.each(['t', 'm'])('returns a rowless change for __op %s', (op) => {
    // Prepare
    const json = { __op: op };

    // Act
    const change = parseChange(json);

    // Assess
    expect(change).toEqual({ kind: 'rowless', op });
  });

  it('rejects an unknown __op as UNKNOWN_OP', () => {
    // Prepare
    const json = { id: 5, __op: 'z' };

    // Act
    const error = captureError(() => parseChange(json));

    // Assess
    expectPoison(error, ErrorCode.UNKNOWN_OP);
  });

  it('takes column schemas from the flat struct schema of an unwrapped row', () => {
    // Prepare
    const json = {
      schema: {
        type: 'struct',
        name: 'dbserver1.public.products.Value',
        fields: [
          { type: 'int32', optional: false, field: 'id' },
          {
            type: 'bytes',
            optional: false,
            name: DECIMAL_SCHEMA,
            parameters: { scale: '2' },
            field: 'price',
          },
        ],
      },
      payload: { id: 6, price: 'BOI=', __op: 'c', __lsn: 10 },
    };

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.op).toBe('c');
    expect(change.fieldSchemas.get('price')).toMatchObject({
      name: DECIMAL_SCHEMA,
      parameters: { scale: '2' },
    });
    expect(change.position.lsn).toBe(10n);
  });
});

describe('unwrapSchemaEnvelope', () => {
  it('splits {schema, payload}', () => {
    // Prepare
    const json = { schema: { type: 'int32' }, payload: { id: 1 } };

    // Act
    const unwrapped = unwrapSchemaEnvelope(json);

    // Assess
    expect(unwrapped).toEqual({ payload: { id: 1 }, schema: { type: 'int32' } });
  });

  it('returns a bare payload as is, without a schema', () => {
    // Prepare
    const json = { payload: { id: 1 } };

    // Act
    const unwrapped = unwrapSchemaEnvelope(json);

    // Assess
    expect(unwrapped).toEqual({ payload: { payload: { id: 1 } }, schema: undefined });
  });
});

describe('parseChange, the rendering of the value', () => {
  const bare = (): Record<string, unknown> => ({
    before: null,
    after: { id: 1 },
    source: {},
    op: 'c',
    ts_ms: 1,
  });
  const avroJson = () => ({
    before: null,
    after: { 'dbserver1.public.products.Value': { id: 1, name: 'N', description: { string: 'd' } } },
    source: { ts_ms: 1_000, lsn: { long: 77 }, sequence: { string: '["70","77"]' } },
    op: 'c',
    ts_ms: { long: 1_005 },
  });

  it.each([
    [
      'a schema envelope, whatever the hint',
      loadFixture('products-create-schema.json'),
      true,
      'connect-json',
    ],
    ['a bare envelope without a registry', loadFixture('products-update-toast.json'), false, 'connect-json'],
    ['a bare envelope from a registry', loadFixture('products-update-toast.json'), true, 'registry-plain'],
    ['a union-wrapped envelope, even without a hint', avroJson(), false, 'avro-json'],
    ['an envelope whose only union is ts_ms', { ...bare(), ts_ms: { long: 5 } }, false, 'avro-json'],
    [
      'an envelope whose only union is source.lsn',
      { ...bare(), source: { lsn: { long: 5 } } },
      false,
      'avro-json',
    ],
    [
      'an envelope whose only union is the row',
      { ...bare(), after: { 'x.y.Value': { id: 1 } } },
      false,
      'avro-json',
    ],
    [
      'an envelope whose only union is a column',
      { ...bare(), after: { id: 1, name: { string: 'N' } } },
      false,
      'avro-json',
    ],
    ['an unwrapped row whose only union is a column', { id: 1, __op: { string: 'c' } }, false, 'avro-json'],
  ])('names %s', (_label, json, registry, rendering) => {
    // Act
    const change = asRow(parseChange(json, { registry }));

    // Assess
    expect(change.rendering).toBe(rendering);
  });

  it('names a bare envelope connect-json when no hint is given', () => {
    // Act
    const change = asRow(parseChange(bare()));

    // Assess
    expect(change.rendering).toBe('connect-json');
  });

  it('names the field of a malformed union in the error', () => {
    // Act
    const errors = [
      captureError(() => parseChange({ ...bare(), ts_ms: { long: 'x' } })),
      captureError(() => parseChange({ ...bare(), source: { sequence: { string: 1 } } })),
      captureError(() => parseChange({ ...bare(), source: { ts_ms: { long: 'x' } } })),
      captureError(() => parseChange({ ...bare(), source: { ts_usec: { long: 'x' } } })),
    ];

    // Assess
    for (const error of errors) expectPoison(error, ErrorCode.INVALID_FIELD);
    expect(errors.map((error) => (error as Error).message.split("'")[1])).toEqual([
      'ts_ms',
      'source.sequence',
      'source.ts_ms',
      'source.ts_usec',
    ]);
  });

  it('applies a delete without any before field by its key: an empty row', () => {
    // Act
    const change = asRow(parseChange({ op: 'd', source: { lsn: 9 } }));

    // Assess
    expect(change.row).toEqual({});
    expect(change.op).toBe('d');
  });

  it('removes the union wrappers of the row, the envelope and the source position', () => {
    // Act
    const change = asRow(parseChange(avroJson()));

    // Assess
    expect(change.row).toEqual({ id: 1, name: 'N', description: 'd' });
    expect(change.eventTsMs).toBe(1_005);
    expect(change.position).toEqual({
      lsn: 77n,
      sequence: { lastCommitLsn: 70n, lsn: 77n },
      sourceTsMs: 1_000,
    });
  });

  it('leaves a schema envelope’s one-key objects alone: the JSON converter writes no unions', () => {
    // Prepare
    const json = loadFixture('products-create-schema.json');
    const payload = json.payload as Record<string, Record<string, unknown>>;
    (payload.after as Record<string, unknown>).description = { string: 'd' };

    // Act
    const change = asRow(parseChange(json));

    // Assess
    expect(change.row.description).toEqual({ string: 'd' });
  });
});
