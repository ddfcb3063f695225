import fc from 'fast-check';
import { ErrorCode } from '../../lambda/errors.js';
import { kafkaRecord, ORDER_ITEMS_TOPIC, PRODUCTS_TOPIC, type TestKafkaRecord } from './debezium.js';

/**
 * Hostile Kafka records, each with the outcome the service owes it: a dead letter with one specific code,
 * or (for input that is odd but valid) the change applied. Used by the pure decode fuzz test and, with
 * fewer cases, through the real handler.
 */
export type Expected =
  | { readonly kind: 'poison'; readonly code: ErrorCode }
  | { readonly kind: 'applied' }
  | { readonly kind: 'skipped' };

export interface HostileCase {
  readonly label: string;
  readonly record: TestKafkaRecord;
  readonly expected: Expected;
  /** The product a products change is about, when it decodes to one. */
  readonly productId?: number;
  /**
   * The change decodes, but lacks a column a new item needs (null or TOAST placeholder in a NOT NULL column):
   * it can update an existing item, and is dead-lettered (MISSING_FIELD) when the product does not exist.
   */
  readonly partial?: boolean;
}

const poison = (code: ErrorCode): Expected => ({ kind: 'poison', code });
const APPLIED: Expected = { kind: 'applied' };

/** JSON text nested `depth` levels deep, built without recursion so the generator itself cannot overflow. */
export const deepJson = (depth: number, kind: 'array' | 'object' = 'array'): string =>
  kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const rawValue = (topic: string, offset: number, base64: string): TestKafkaRecord => ({
  ...kafkaRecord(topic, 0, offset, null),
  value: base64,
});

const productRow = (id: number) => ({
  id,
  name: `Product ${id}`,
  description: 'desc',
  price: '19.99',
  stock_quantity: 40,
  updated_at: 1_736_936_400_000_000,
});

const orderRow = (id: number, productId: number) => ({
  id,
  order_id: 9000 + id,
  product_id: productId,
  quantity: 2,
});

const envelope = (table: 'products' | 'order_items', after: unknown, op: unknown = 'c') => ({
  before: null,
  after,
  source: { ts_ms: 1_736_936_400_000, lsn: 5_000, table, db: 'shop', schema: 'public' },
  op,
  ts_ms: 1_736_936_400_005,
});

/** A JSON text in which `"<placeholder>"` is replaced by raw JSON (deep nesting, huge numbers, __proto__). */
const MARK = '\u0000RAW\u0000';
const PLACEHOLDER = JSON.stringify(MARK);
const withRaw = (value: unknown, raw: string): string => JSON.stringify(value).replace(PLACEHOLDER, raw);

/** Raw JSON fragments that are not a usable value for any column. */
const hostileScalarRaw = fc.constantFrom(
  '1e400',
  '-1e400',
  '9007199254740993',
  '123456789012345678901234567890',
  '0.5',
  '-3',
  '0',
  '"NaN"',
  '"Infinity"',
  '"-Infinity"',
  '"12"',
  'true',
  '[]',
  '{}',
  '[1]',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
);

const deepRaw = fc
  .tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.constantFrom('array' as const, 'object' as const))
  .map(([depth, kind]) => deepJson(depth, kind));

const columnRaw = fc.oneof({ weight: 6, arbitrary: hostileScalarRaw }, { weight: 1, arbitrary: deepRaw });

/** Fragments above that are ids after all: every INTEGER is (0 and negatives too; see the id scenarios). */
const INTEGER_FRAGMENTS: ReadonlySet<string> = new Set(['-3', '0']);
const isIdColumnWithInteger = ({ column, raw }: { column: string; raw: string }): boolean =>
  (column === 'id' || column === 'product_id') && INTEGER_FRAGMENTS.has(raw);

/** A product column replaced by a hostile JSON fragment; each column's contract names the code. */
const productColumnCase = fc
  .record({
    id: fc.integer({ min: 1, max: 50 }),
    column: fc.constantFrom('id', 'name', 'price', 'stock_quantity', 'updated_at'),
    raw: columnRaw,
  })
  .filter((row) => !isIdColumnWithInteger(row))
  .map(({ id, column, raw }): Omit<HostileCase, 'record'> & { value: string } => {
    const value = withRaw(envelope('products', { ...productRow(id), [column]: MARK }), raw);
    const code: Record<string, ErrorCode> = {
      id: ErrorCode.INVALID_FIELD,
      name: ErrorCode.INVALID_FIELD,
      price: ErrorCode.BAD_DECIMAL,
      stock_quantity: ErrorCode.INVALID_FIELD,
      updated_at: ErrorCode.BAD_TIMESTAMP,
    };
    const expected = expectedFor(column, raw, code);
    return {
      label: `products.${column} = ${raw.slice(0, 30)}`,
      value,
      expected,
      productId: id,
      partial: expected.kind === 'applied' && NEW_ITEM_COLUMNS.has(column) && isNotSent(raw),
    };
  });

/** NOT NULL columns a new item cannot do without. */
const NEW_ITEM_COLUMNS: ReadonlySet<string> = new Set(['name', 'price', 'stock_quantity']);

/** null and the TOAST placeholder mean "not sent": the stored value (if any) is kept. */
const isNotSent = (raw: string): boolean => raw === 'null' || raw === '"__debezium_unavailable_value"';

/** The ms a schemaless numeric timestamp stands for: its unit is inferred from its magnitude. */
const inferredMs = (value: number): number =>
  value * (Math.abs(value) >= 1e17 ? 1e-6 : Math.abs(value) >= 1e14 ? 1e-3 : 1);

/**
 * Which hostile fragments a column accepts after all: a name may be any string, a price in double or
 * string mode any finite number below 1e21 or decimal string, a stock any safe integer (negative too),
 * a timestamp any number or date text that lands inside the range of a JavaScript Date.
 */
const expectedFor = (column: string, raw: string, codes: Record<string, ErrorCode>): Expected => {
  const json = raw.length < 100 ? (JSON.parse(raw) as unknown) : undefined;
  const accepted =
    (column === 'name' && typeof json === 'string') ||
    (column === 'price' && typeof json === 'number' && Number.isFinite(json) && Math.abs(json) < 1e21) ||
    (column === 'price' && typeof json === 'string' && /^-?\d+(\.\d+)?$/.test(json)) ||
    (column === 'stock_quantity' && Number.isSafeInteger(json)) ||
    (column === 'updated_at' &&
      typeof json === 'number' &&
      Number.isFinite(json) &&
      Math.abs(inferredMs(json)) <= 8.64e15) ||
    (column === 'updated_at' && typeof json === 'string' && !Number.isNaN(Date.parse(`${json}Z`)));
  return accepted ? APPLIED : poison(codes[column] as ErrorCode);
};

const orderColumnCase = fc
  .record({
    id: fc.integer({ min: 1, max: 50 }),
    column: fc.constantFrom('product_id', 'quantity'),
    raw: columnRaw,
  })
  .filter((row) => !isIdColumnWithInteger(row))
  .map(({ id, column, raw }) => {
    const value = withRaw(envelope('order_items', { ...orderRow(id, id), [column]: MARK }), raw);
    const code = column === 'quantity' ? ErrorCode.INVALID_QUANTITY : ErrorCode.INVALID_FIELD;
    return { label: `order_items.${column} = ${raw.slice(0, 30)}`, value, expected: poison(code) };
  });

/** Envelope-level damage: missing ids and quantities, unknown ops, rows that are not objects. */
const envelopeCase = fc.integer({ min: 1, max: 50 }).chain((id) =>
  fc.constantFrom(
    {
      label: 'product without id',
      value: JSON.stringify(envelope('products', { ...productRow(id), id: undefined })),
      expected: poison(ErrorCode.MISSING_FIELD),
    },
    {
      label: 'order item without product_id',
      value: JSON.stringify(envelope('order_items', { ...orderRow(id, id), product_id: null })),
      expected: poison(ErrorCode.MISSING_FIELD),
      orders: true,
    },
    {
      label: 'order item without quantity',
      value: JSON.stringify(envelope('order_items', { ...orderRow(id, id), quantity: undefined })),
      expected: poison(ErrorCode.MISSING_FIELD),
      orders: true,
    },
    {
      label: 'unknown op',
      value: JSON.stringify(envelope('products', productRow(id), 'x')),
      expected: poison(ErrorCode.UNKNOWN_OP),
    },
    {
      label: 'deeply nested op',
      value: withRaw(envelope('products', productRow(id), MARK), deepJson(100_000)),
      expected: poison(ErrorCode.UNKNOWN_OP),
    },
    {
      label: 'after is an array',
      value: withRaw(envelope('products', MARK), deepJson(100_000)),
      expected: poison(ErrorCode.MISSING_FIELD),
    },
    {
      label: 'after is only a __proto__ key',
      value: withRaw(envelope('products', MARK), `{"__proto__":${JSON.stringify(productRow(id))}}`),
      expected: poison(ErrorCode.MISSING_FIELD),
    },
    {
      label: 'valid row with __proto__ and constructor keys everywhere',
      value: protoEverywhere(id),
      expected: APPLIED,
      productId: id,
    },
    {
      label: 'deeply nested source (ignored: source is optional)',
      value: withRaw({ ...envelope('products', productRow(id)), source: MARK }, deepJson(50_000)),
      expected: APPLIED,
      productId: id,
    },
  ),
);

/** A valid product change whose objects all carry own `__proto__` and `constructor` keys. */
const protoEverywhere = (id: number): string => {
  const pollute = '"__proto__":{"polluted":true,"id":1},"constructor":{"prototype":{"polluted":true}},';
  return JSON.stringify(envelope('products', productRow(id))).replaceAll('{"', `{${pollute}"`);
};

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const isUtf8 = (bytes: Uint8Array): boolean => {
  try {
    fatalUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
};
const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Transport-level damage: what arrives is not base64, not UTF-8, not JSON or not an object. */
const transportCase: fc.Arbitrary<{ label: string; base64: string; expected: Expected }> = fc.oneof(
  fc
    .string({ minLength: 1, maxLength: 40, unit: 'binary' })
    .filter((text) => text.length % 4 !== 0 || !BASE64.test(text))
    .map((text) => ({ label: 'invalid base64', base64: text, expected: poison(ErrorCode.INVALID_BASE64) })),
  fc
    .uint8Array({ minLength: 1, maxLength: 64 })
    .filter((bytes) => !isUtf8(bytes))
    .map((bytes) => ({
      label: 'invalid UTF-8',
      base64: Buffer.from(bytes).toString('base64'),
      expected: poison(ErrorCode.INVALID_UTF8),
    })),
  fc
    .string({ minLength: 1, maxLength: 60, unit: 'grapheme' })
    .filter((text) => !isJson(text))
    .map((text) => ({
      label: 'invalid JSON',
      base64: base64(text),
      expected: poison(ErrorCode.INVALID_JSON),
    })),
  fc
    .oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('NaN', 'Infinity'))
    .filter(
      (value) => value === 'NaN' || value === 'Infinity' || typeof value !== 'object' || Array.isArray(value),
    )
    .map((value) => ({
      label: 'JSON that is not an object',
      base64: base64(JSON.stringify(value)),
      expected: poison(ErrorCode.NOT_AN_OBJECT),
    })),
  fc.constantFrom(
    { label: 'huge number', base64: base64('1e400'), expected: poison(ErrorCode.NOT_AN_OBJECT) },
    {
      label: '100k nested arrays',
      base64: base64(deepJson(100_000)),
      expected: poison(ErrorCode.NOT_AN_OBJECT),
    },
    {
      label: '100k nested objects',
      base64: base64(deepJson(100_000, 'object')),
      expected: poison(ErrorCode.MISSING_FIELD),
    },
    { label: 'present but empty', base64: '', expected: poison(ErrorCode.EMPTY_VALUE) },
  ),
  fc.uint8Array({ minLength: 1, maxLength: 256 }).map((bytes) => ({
    label: 'random bytes',
    base64: Buffer.from(bytes).toString('base64'),
    expected: randomBytesOutcome(bytes),
  })),
);

/** Random bytes are almost always poison; which code depends on how far they get. */
const randomBytesOutcome = (bytes: Uint8Array): Expected => {
  if (!isUtf8(bytes)) return poison(ErrorCode.INVALID_UTF8);
  const text = Buffer.from(bytes).toString('utf8');
  if (!isJson(text)) return poison(ErrorCode.INVALID_JSON);
  const json = JSON.parse(text) as unknown;
  if (json === null) return { kind: 'skipped' };
  if (typeof json !== 'object' || Array.isArray(json)) return poison(ErrorCode.NOT_AN_OBJECT);
  return poison(ErrorCode.MISSING_FIELD);
};

/** One hostile record at `offset`, on the products or order_items topic (or a topic nobody consumes). */
export const hostileRecordArb = (offset: number): fc.Arbitrary<HostileCase> =>
  fc.oneof(
    productColumnCase.map((c) => ({
      label: c.label,
      record: rawValue(PRODUCTS_TOPIC, offset, base64(c.value)),
      expected: c.expected,
      productId: c.productId,
      partial: c.partial,
    })),
    orderColumnCase.map((c) => ({
      label: c.label,
      record: rawValue(ORDER_ITEMS_TOPIC, offset, base64(c.value)),
      expected: c.expected,
    })),
    envelopeCase.map((c) => ({
      label: c.label,
      record: rawValue('orders' in c ? ORDER_ITEMS_TOPIC : PRODUCTS_TOPIC, offset, base64(c.value)),
      expected: c.expected,
      ...('productId' in c ? { productId: c.productId } : {}),
    })),
    fc.tuple(transportCase, fc.constantFrom(PRODUCTS_TOPIC, ORDER_ITEMS_TOPIC)).map(([c, topic]) => ({
      label: c.label,
      record: rawValue(topic, offset, c.base64),
      expected: c.expected,
    })),
    fc
      .constantFrom(
        'dbserver1.public.customers',
        '',
        '../../etc/passwd',
        '__proto__',
        'dbserver1.public.products ',
      )
      .map((topic) => ({
        label: `wrong topic '${topic}'`,
        record: { ...kafkaRecord(PRODUCTS_TOPIC, 0, offset, envelope('products', productRow(1))), topic },
        expected: poison(ErrorCode.UNKNOWN_TOPIC),
      })),
  );
