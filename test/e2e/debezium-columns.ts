import { type TextRow, type TupleValue, UNCHANGED_TOAST } from './pgoutput.js';

/**
 * How Debezium's Postgres connector turns the contract's columns into Kafka Connect values and schemas
 * (PostgresValueConverter with the defaults: decimal.handling.mode=precise or string, time.precision.mode
 * adaptive, so `timestamp` → io.debezium.time.MicroTimestamp), and the Kafka Connect JSON converter's
 * rendering of those schemas (org.apache.kafka.connect.json.JsonConverter.asJsonSchema).
 */

export type DecimalMode = 'precise' | 'string';

type ColumnKind = 'int32' | 'string' | 'decimal' | 'micro-timestamp';

interface Column {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly optional: boolean;
  /** Kafka Connect schema default: Debezium derives 0 for SERIAL and DEFAULT 0 columns. */
  readonly schemaDefault?: number;
}

export const SHOP_TABLES = ['products', 'order_items'] as const;
export type ShopTable = (typeof SHOP_TABLES)[number];

/** NUMERIC(10,2): the Decimal schema's scale and connect.decimal.precision. */
const DECIMAL = { scale: 2, precision: 10 } as const;

export const COLUMNS: Readonly<Record<ShopTable, readonly Column[]>> = {
  products: [
    { name: 'id', kind: 'int32', optional: false, schemaDefault: 0 },
    { name: 'name', kind: 'string', optional: false },
    { name: 'description', kind: 'string', optional: true },
    { name: 'price', kind: 'decimal', optional: false },
    { name: 'stock_quantity', kind: 'int32', optional: false, schemaDefault: 0 },
    { name: 'created_at', kind: 'micro-timestamp', optional: false },
    { name: 'updated_at', kind: 'micro-timestamp', optional: false },
  ],
  order_items: [
    { name: 'id', kind: 'int32', optional: false, schemaDefault: 0 },
    { name: 'order_id', kind: 'int32', optional: false },
    { name: 'product_id', kind: 'int32', optional: false },
    { name: 'quantity', kind: 'int32', optional: false },
    { name: 'unit_price', kind: 'decimal', optional: false },
    { name: 'created_at', kind: 'micro-timestamp', optional: false },
  ],
};

/** The unavailable.value.placeholder default, written for an unchanged TOASTed text column (DBZ-1258). */
export const UNAVAILABLE_VALUE = '__debezium_unavailable_value';

/**
 * The unscaled value's big-endian two's complement in the fewest bytes, as java.math.BigInteger.toByteArray
 * (Kafka Connect's Decimal.fromLogical), base64 as the JSON converter writes bytes.
 */
export const preciseDecimal = (text: string, scale: number): string => {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace(/^[-+]/, '').split('.');
  if (fraction.length > scale) throw new Error(`${text} has more than ${scale} decimals`);
  const magnitude = BigInt(`${whole}${fraction.padEnd(scale, '0')}`);
  const unscaled = negative ? -magnitude : magnitude;
  let length = 1;
  while (unscaled < -(1n << BigInt(8 * length - 1)) || unscaled >= 1n << BigInt(8 * length - 1)) length += 1;
  let bits = unscaled < 0n ? (1n << BigInt(8 * length)) + unscaled : unscaled;
  const bytes = Buffer.alloc(length);
  for (let index = length - 1; index >= 0; index -= 1) {
    bytes[index] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  return bytes.toString('base64');
};

/**
 * `timestamp` (no zone) → µs since 1970, the wall-clock value read as UTC as MicroTimestamp.toEpochMicros
 * does with a LocalDateTime. PostgreSQL's text output (DateStyle ISO): `2026-01-02 03:04:05.123456`.
 */
export const microTimestamp = (text: string): number => {
  const match = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(text);
  if (match === null) throw new Error(`unexpected timestamp text ${text}`);
  const [, year, month, day, hour, minute, second, fraction = ''] = match;
  const ms = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
  return ms * 1000 + Number(fraction.padEnd(6, '0'));
};

const convert = (column: Column, value: TupleValue, mode: DecimalMode): unknown => {
  if (value === null) return null;
  if (value === UNCHANGED_TOAST) {
    if (column.kind !== 'string') throw new Error(`unchanged TOAST value in ${column.name}`);
    return UNAVAILABLE_VALUE;
  }
  switch (column.kind) {
    case 'int32':
      return Number(value);
    case 'string':
      return value;
    case 'decimal':
      // string mode: BigDecimal.toPlainString, which keeps the column's scale as PostgreSQL prints it.
      return mode === 'precise' ? preciseDecimal(value, DECIMAL.scale) : value;
    case 'micro-timestamp':
      return microTimestamp(value);
  }
};

/** A row as the connector's struct: every column of the table, null where the tuple has none. */
export const connectRow = (table: ShopTable, row: TextRow, mode: DecimalMode): Record<string, unknown> =>
  Object.fromEntries(
    COLUMNS[table].map((column) => [column.name, convert(column, row[column.name] ?? null, mode)]),
  );

const fieldSchema = (column: Column, mode: DecimalMode): Record<string, unknown> => {
  const base = {
    optional: column.optional,
    ...(column.schemaDefault === undefined ? {} : { default: column.schemaDefault }),
  };
  switch (column.kind) {
    case 'int32':
      return { type: 'int32', ...base, field: column.name };
    case 'string':
      return { type: 'string', ...base, field: column.name };
    case 'decimal':
      return mode === 'precise'
        ? {
            type: 'bytes',
            ...base,
            name: 'org.apache.kafka.connect.data.Decimal',
            version: 1,
            parameters: {
              scale: String(DECIMAL.scale),
              'connect.decimal.precision': String(DECIMAL.precision),
            },
            field: column.name,
          }
        : { type: 'string', ...base, field: column.name };
    case 'micro-timestamp':
      return {
        type: 'int64',
        ...base,
        name: 'io.debezium.time.MicroTimestamp',
        version: 1,
        field: column.name,
      };
  }
};

/** `<topic.prefix>.<schema>.<table>.Value`, optional as the envelope's before/after. */
export const rowSchema = (table: ShopTable, mode: DecimalMode, field: 'before' | 'after') => ({
  type: 'struct',
  fields: COLUMNS[table].map((column) => fieldSchema(column, mode)),
  optional: true,
  name: `dbserver1.public.${table}.Value`,
  field,
});

/** The key struct: the primary key column (`<topic>.Key`). */
export const keySchema = (table: ShopTable) => ({
  type: 'struct',
  fields: [fieldSchema(COLUMNS[table][0] as Column, 'precise')],
  optional: false,
  name: `dbserver1.public.${table}.Key`,
});
