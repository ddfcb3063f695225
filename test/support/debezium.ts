/**
 * Builders of Debezium Postgres change events and Lambda Kafka events, for tests that need many
 * generated records. Hand-written realistic samples live in events/ and test/fixtures/.
 */
export const PRODUCTS_TOPIC = 'dbserver1.public.products';
export const ORDER_ITEMS_TOPIC = 'dbserver1.public.order_items';

export interface ProductRow {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  readonly price: string;
  readonly stock_quantity: number;
}

export interface OrderItemRow {
  readonly id: number;
  readonly order_id: number;
  readonly product_id: number;
  readonly quantity: number;
}

type Op = 'c' | 'u' | 'd' | 'r';

/**
 * Where a change sits in the source, as Debezium's Postgres connector writes it: `lsn` is the change's own
 * WAL position and `lastCommit` the LSN of the previous COMMIT it processed (SourceInfo.sequence()), null
 * during the initial snapshot and in the first transaction streamed after it.
 */
export interface SourceAt {
  readonly lsn: number;
  readonly lastCommit: number | null;
  readonly tsMs: number;
  readonly txId?: number;
}

/** Source times near now, so that no generated change is past the lag bound. */
export const BASE_TS_MS = Date.now() - 3_600_000;

/** The `source` block the Postgres connector writes for a change of `table` at `at`. */
export const sourceBlock = (table: string, at: SourceAt, snapshot = false) => ({
  version: '2.7.3.Final',
  connector: 'postgresql',
  name: 'dbserver1',
  ts_ms: at.tsMs,
  snapshot: snapshot ? 'true' : 'false',
  db: 'shop',
  sequence: JSON.stringify([at.lastCommit === null ? null : String(at.lastCommit), String(at.lsn)]),
  schema: 'public',
  table,
  txId: at.txId ?? 700 + (at.lsn % 1000),
  lsn: at.lsn,
  xmin: null,
});

/** The old helpers' positions: one transaction per change, each committed just before the next one. */
const defaultAt = (lsn: number, op: Op, tsMs: number): SourceAt => ({
  lsn,
  lastCommit: op === 'r' ? null : lsn - 8,
  tsMs,
});

/** A schemaless Debezium envelope (decimal.handling.mode=string) for one product change. */
export const productEnvelopeAt = (op: Op, row: ProductRow, at: SourceAt) => ({
  before:
    op === 'd' ? { id: row.id, name: null, description: null, price: null, stock_quantity: null } : null,
  after: op === 'd' ? null : { ...row, created_at: 1_736_900_000_000_000, updated_at: at.tsMs * 1000 },
  source: sourceBlock('products', at, op === 'r'),
  op,
  ts_ms: at.tsMs + 5,
  transaction: null,
});

export const productEnvelope = (op: Op, row: ProductRow, lsn: number, tsMs = BASE_TS_MS + lsn) =>
  productEnvelopeAt(op, row, defaultAt(lsn, op, tsMs));

export const orderItemEnvelopeAt = (op: Op, row: OrderItemRow, at: SourceAt) => ({
  before: null,
  after: { ...row, unit_price: '10.00', created_at: at.tsMs * 1000 },
  source: sourceBlock('order_items', at, op === 'r'),
  op,
  ts_ms: at.tsMs + 5,
  transaction: null,
});

export const orderItemEnvelope = (op: Op, row: OrderItemRow, lsn: number, tsMs = BASE_TS_MS + lsn) =>
  orderItemEnvelopeAt(op, row, defaultAt(lsn, op, tsMs));

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export interface TestKafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: 'CREATE_TIME';
  readonly key?: string;
  readonly value: string | null;
  /** As Lambda delivers them: one object per header, mapping its name to the value's bytes. */
  readonly headers: ReadonlyArray<Readonly<Record<string, readonly number[]>>>;
}

/** `value`: an object is JSON-encoded, a string is taken as raw text, null is a tombstone. */
export const kafkaRecord = (
  topic: string,
  partition: number,
  offset: number,
  value: unknown,
  key?: unknown,
): TestKafkaRecord => ({
  topic,
  partition,
  offset,
  timestamp: 1_736_936_400_000 + offset,
  timestampType: 'CREATE_TIME',
  ...(key === undefined ? {} : { key: base64(JSON.stringify(key)) }),
  value: value === null ? null : base64(typeof value === 'string' ? value : JSON.stringify(value)),
  headers: [],
});

/** The record as a connector with `InsertHeader` (header `cdc.epoch`, literal `epoch`) produces it. */
export const stampedWithEpoch = (record: TestKafkaRecord, epoch: number | string): TestKafkaRecord => ({
  ...record,
  headers: [...record.headers, { 'cdc.epoch': [...Buffer.from(String(epoch), 'utf8')] }],
});

/** Groups records into the mapping's `topic-partition` map, keeping their order. */
export const mskEvent = (records: readonly TestKafkaRecord[]) => {
  const grouped: Record<string, TestKafkaRecord[]> = {};
  for (const record of records) {
    const mapKey = `${record.topic}-${record.partition}`;
    grouped[mapKey] ??= [];
    grouped[mapKey].push(record);
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/shop-cdc/0f1e2d3c-test',
    bootstrapServers: 'b-1.shop-cdc.kafka.us-east-1.amazonaws.com:9098',
    records: grouped,
  };
};

export const productRecord = (
  op: Op,
  row: ProductRow,
  offset: number,
  lsn = 1000 + offset * 10,
  partition = 0,
) => kafkaRecord(PRODUCTS_TOPIC, partition, offset, productEnvelope(op, row, lsn), { id: row.id });

export const orderItemRecord = (row: OrderItemRow, offset: number, partition = 0, op: Op = 'c') =>
  kafkaRecord(ORDER_ITEMS_TOPIC, partition, offset, orderItemEnvelope(op, row, 50_000 + offset), {
    id: row.id,
  });

/** A products record at an explicit source position. */
export const productRecordAt = (op: Op, row: ProductRow, at: SourceAt, offset: number, partition = 0) =>
  kafkaRecord(PRODUCTS_TOPIC, partition, offset, productEnvelopeAt(op, row, at), { id: row.id });

/** An order_items record at an explicit source position. */
export const orderItemRecordAt = (
  row: OrderItemRow,
  at: SourceAt,
  offset: number,
  partition = 0,
  op: Op = 'c',
) => kafkaRecord(ORDER_ITEMS_TOPIC, partition, offset, orderItemEnvelopeAt(op, row, at), { id: row.id });
