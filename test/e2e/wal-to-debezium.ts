import {
  connectRow,
  type DecimalMode,
  keySchema,
  rowSchema,
  SHOP_TABLES,
  type ShopTable,
} from './debezium-columns.js';
import type { InitialSnapshot } from './initial-snapshot.js';
import { type RowChange, type StreamedTransaction, type TextRow, UNCHANGED_TOAST } from './pgoutput.js';

/**
 * What Debezium's Postgres connector (3.6.1.Final, topic.prefix=dbserver1, plugin pgoutput, default
 * REPLICA IDENTITY, provide.transaction.metadata=false) emits for the initial snapshot and the slot's
 * transactions. Files cited are under debezium-connector-postgres/src/main/java/io/debezium/connector/
 * postgresql/ unless said otherwise.
 */

/** source.snapshot: SnapshotRecord (debezium-connector-common .../connector/SnapshotRecord.java). */
type SnapshotMarker =
  | 'first'
  | 'first_in_data_collection'
  | 'true'
  | 'last_in_data_collection'
  | 'last'
  | 'false';

/**
 * RelationalChangeRecordEmitter.PK_UPDATE_NEWKEY_FIELD / PK_UPDATE_OLDKEY_FIELD (debezium-core .../relational/
 * RelationalChangeRecordEmitter.java): the other key of a primary-key change, on the delete and the create.
 */
export const KEY_CHANGE_HEADER = { newKey: '__debezium.newkey', oldKey: '__debezium.oldkey' } as const;

export interface KeyChangeHeader {
  readonly name: (typeof KEY_CHANGE_HEADER)[keyof typeof KEY_CHANGE_HEADER];
  readonly id: number;
}

export interface DebeziumChange {
  readonly table: ShopTable;
  /** The row's key; null for a truncate, which Debezium sends without a key. */
  readonly id: number | null;
  readonly op: 'r' | 'c' | 'u' | 'd' | 't';
  readonly before: TextRow | null;
  readonly after: TextRow | null;
  /** Half of a primary-key change: the header naming the other key. */
  readonly keyHeader?: KeyChangeHeader;
  readonly source: {
    /** SourceInfo.timestamp(): commit time streamed, CURRENT_TIMESTAMP of the snapshot transaction read. */
    readonly tsUs: bigint;
    readonly snapshot: SnapshotMarker;
    readonly txId: number;
    /** SourceInfo.lsn: the change's LSN, or the slot's consistent point for snapshot rows. */
    readonly lsn: bigint;
    /** SourceInfo.lastCommitLsn: the previous COMMIT the connector processed, null before the first one. */
    readonly lastCommitLsn: bigint | null;
  };
}

export const CONNECTOR_VERSION = '3.6.1.Final';

/**
 * RelationalSnapshotChangeEventSource.setSnapshotMarker / SnapshotMarkerResolver.resolve (connector-common):
 * `last` for the last row of the last table, `first` for the first row of the first table, then
 * `last_in_data_collection` / `first_in_data_collection` for a table's last / first row, else `true`.
 */
const snapshotMarker = (first: boolean, last: boolean, firstInTable: boolean, lastInTable: boolean) =>
  last
    ? 'last'
    : first
      ? 'first'
      : lastInTable
        ? 'last_in_data_collection'
        : firstInTable
          ? 'first_in_data_collection'
          : 'true';

/**
 * Snapshot rows: op `r`, before null; source.lsn is the consistent point and txId the snapshot
 * transaction's (PostgresSnapshotChangeEventSource.updateOffsetForSnapshot); lastCommitLsn stays null
 * (PostgresOffsetContext.initialContext passes none), so sequence is `[null, "<consistent point>"]`.
 */
export const snapshotChanges = (snapshot: InitialSnapshot): DebeziumChange[] => {
  const tables = snapshot.tables;
  return tables.flatMap(({ table, rows }, tableIndex) =>
    rows.map((row, rowIndex): DebeziumChange => {
      const firstInTable = rowIndex === 0;
      const lastInTable = rowIndex === rows.length - 1;
      const marker = snapshotMarker(
        firstInTable && tableIndex === 0,
        lastInTable && tableIndex === tables.length - 1,
        firstInTable,
        lastInTable,
      );
      return {
        table: table as ShopTable,
        id: Number(row.id),
        op: 'r',
        before: null,
        after: row,
        source: {
          tsUs: snapshot.tsUs,
          snapshot: marker,
          txId: snapshot.txId,
          lsn: snapshot.lsn,
          lastCommitLsn: null,
        },
      };
    }),
  );
};

/**
 * The new row as PostgresChangeRecordEmitter.columnValues builds it: an unchanged-TOAST column takes the
 * value the old tuple had (cachedOldToastedValues, filled while reading the old tuple first); with a key-only
 * 'K' old tuple that value is null, so the column stays the placeholder (UNAVAILABLE_VALUE).
 */
const resolveToast = (row: TextRow, old: TextRow | undefined): TextRow =>
  Object.fromEntries(
    Object.entries(row).map(([name, value]) => {
      const cached = old?.[name];
      return [name, value === UNCHANGED_TOAST && cached !== undefined && cached !== null ? cached : value];
    }),
  );

/**
 * What one decoded change becomes (files under debezium-core/src/main/java/io/debezium/relational/ and the
 * Postgres connector):
 * - an update whose old tuple has another key (pgoutput sends the old key 'K' when the statement changed it):
 *   RelationalChangeRecordEmitter.emitUpdateRecord emits a delete of the old key (before = the old tuple, the
 *   key with the rest null) with header `__debezium.newkey`, then a create of the new key with header
 *   `__debezium.oldkey`, both at the change's offset (same source);
 * - an update with the same key: before is the old tuple when pgoutput sends one ('O', REPLICA IDENTITY FULL:
 *   the whole old row, PostgresChangeRecordEmitter.getOldColumnValues), else null;
 * - a delete: before is the old tuple ('K': the key, every other column null; 'O': the whole row);
 * - a truncate: PostgresChangeRecordEmitter.emitTruncateRecord, Envelope.truncate: op `t`, no key, no before
 *   or after, the source at the Truncate message's LSN. Debezium 2.x and 3.x skip truncates unless
 *   `skipped.operations` leaves `t` out (CommonConnectorConfig.SKIPPED_OPERATIONS defaults to "t";
 *   PgOutputMessageDecoder.isTruncateEventsIncluded): the contract's connector runs with
 *   `skipped.operations=none`.
 */
const changesOf = (
  change: RowChange,
  table: ShopTable,
  source: DebeziumChange['source'],
): DebeziumChange[] => {
  if (change.op === 't') return [{ table, id: null, op: 't', before: null, after: null, source }];
  const id = Number(change.row.id);
  if (change.op === 'd') return [{ table, id, op: 'd', before: change.row, after: null, source }];
  const after = resolveToast(change.row, change.old);
  const oldId = change.old === undefined ? id : Number(change.old.id);
  if (change.op === 'u' && oldId !== id) {
    return [
      {
        table,
        id: oldId,
        op: 'd',
        before: change.old ?? null,
        after: null,
        source,
        keyHeader: { name: KEY_CHANGE_HEADER.newKey, id },
      },
      {
        table,
        id,
        op: 'c',
        before: null,
        after,
        source,
        keyHeader: { name: KEY_CHANGE_HEADER.oldKey, id: oldId },
      },
    ];
  }
  return [{ table, id, op: change.op, before: change.old ?? null, after, source }];
};

/**
 * Streamed changes, transaction by transaction in commit order (PostgresStreamingChangeEventSource
 * .processReplicationMessages): each row change takes its own LSN, the transaction's xid and commit time
 * (PostgresOffsetContext.updateWalPosition); each COMMIT then sets lastCommitLsn to its LSN
 * (commitMessage → updateCommitPosition → SourceInfo.updateLastCommit), which the next transaction's
 * changes carry as sequence[0]. Streaming after a fresh snapshot starts with no lastCommitLsn.
 */
export const streamedChanges = (transactions: readonly StreamedTransaction[]): DebeziumChange[] => {
  const changes: DebeziumChange[] = [];
  let lastCommitLsn: bigint | null = null;
  for (const transaction of transactions) {
    for (const change of transaction.changes) {
      if (!(SHOP_TABLES as readonly string[]).includes(change.table)) continue;
      const source = {
        tsUs: transaction.commitTimeUs,
        snapshot: 'false',
        txId: transaction.xid,
        lsn: change.lsn,
        lastCommitLsn,
      } as const;
      changes.push(...changesOf(change, change.table as ShopTable, source));
    }
    lastCommitLsn = transaction.commitLsn;
  }
  return changes;
};

/** The JSON converter with schemas.enable=true and precise decimals, or schemas off and string decimals. */
export type ConverterForm = 'schemas' | 'plain';

const decimalMode = (form: ConverterForm): DecimalMode => (form === 'schemas' ? 'precise' : 'string');

/** SourceInfo.sequence(): Jackson writes the two LSNs (Lsn.asLong) as strings in a JSON array. */
const sequence = ({ lastCommitLsn, lsn }: DebeziumChange['source']): string =>
  JSON.stringify([lastCommitLsn === null ? null : String(lastCommitLsn), String(lsn)]);

/**
 * The source struct (PostgresSourceInfoStructMaker over AbstractSourceInfoStructMaker.commonStruct): ts_ms,
 * ts_us, ts_ns from one Instant; snapshot `false` is left unset and written as the schema's default; xmin
 * null without xmin.fetch.interval.ms; origin null without replication origins.
 */
const sourceStruct = (change: DebeziumChange) => ({
  version: CONNECTOR_VERSION,
  connector: 'postgresql',
  name: 'dbserver1',
  ts_ms: change.source.tsUs / 1000n,
  snapshot: change.source.snapshot,
  db: 'shop',
  sequence: sequence(change.source),
  ts_us: change.source.tsUs,
  ts_ns: change.source.tsUs * 1000n,
  schema: 'public',
  table: change.table,
  txId: BigInt(change.source.txId),
  lsn: change.source.lsn,
  xmin: null,
  origin: null,
  origin_lsn: null,
});

const optional = (type: string, field: string) => ({ type, optional: true, field });
const required = (type: string, field: string) => ({ type, optional: false, field });

/** SchemaFactory.sourceInfoSchemaBuilder + PostgresSourceInfoStructMaker.init (connector-common, postgres). */
const SOURCE_SCHEMA = {
  type: 'struct',
  fields: [
    required('string', 'version'),
    required('string', 'connector'),
    required('string', 'name'),
    required('int64', 'ts_ms'),
    {
      type: 'string',
      optional: true,
      name: 'io.debezium.data.Enum',
      version: 1,
      parameters: {
        allowed: 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental',
      },
      default: 'false',
      field: 'snapshot',
    },
    required('string', 'db'),
    optional('string', 'sequence'),
    optional('int64', 'ts_us'),
    optional('int64', 'ts_ns'),
    required('string', 'schema'),
    required('string', 'table'),
    optional('int64', 'txId'),
    optional('int64', 'lsn'),
    optional('int64', 'xmin'),
    optional('string', 'origin'),
    optional('int64', 'origin_lsn'),
  ],
  optional: false,
  name: 'io.debezium.connector.postgresql.Source',
  version: 1,
  field: 'source',
};

/** SchemaFactory.transactionBlockSchema: present in the schema, null in the value without metadata. */
const TRANSACTION_SCHEMA = {
  type: 'struct',
  fields: [
    required('string', 'id'),
    required('int64', 'total_order'),
    required('int64', 'data_collection_order'),
  ],
  optional: true,
  name: 'event.block',
  version: 1,
  field: 'transaction',
};

const envelopeSchema = (table: ShopTable, mode: DecimalMode) => ({
  type: 'struct',
  fields: [
    rowSchema(table, mode, 'before'),
    rowSchema(table, mode, 'after'),
    SOURCE_SCHEMA,
    TRANSACTION_SCHEMA,
    required('string', 'op'),
    optional('int64', 'ts_ms'),
    optional('int64', 'ts_us'),
    optional('int64', 'ts_ns'),
  ],
  optional: false,
  name: `dbserver1.public.${table}.Envelope`,
  version: 2,
});

/** JSON with int64 values exact: ts_ns exceeds 2^53, as Jackson writes it (JSON.parse would round it). */
const jsonText = (value: unknown): string =>
  JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? `\u0000${item}\u0000` : item)).replace(
    /"\\u0000(-?\d+)\\u0000"/g,
    '$1',
  );

/**
 * The record value as the JSON converter writes it (Envelope.create/read/update/delete in connector-common
 * data/Envelope.java): envelope ts_ms/ts_us/ts_ns are when the connector processed the change.
 */
export const encodeValue = (change: DebeziumChange, form: ConverterForm, processedAtUs: bigint): string => {
  const mode = decimalMode(form);
  const payload = {
    before: change.before === null ? null : connectRow(change.table, change.before, mode),
    after: change.after === null ? null : connectRow(change.table, change.after, mode),
    source: sourceStruct(change),
    transaction: null,
    op: change.op,
    ts_ms: processedAtUs / 1000n,
    ts_us: processedAtUs,
    ts_ns: processedAtUs * 1000n,
  };
  return jsonText(form === 'schemas' ? { schema: envelopeSchema(change.table, mode), payload } : payload);
};

/** A primary key struct in the JSON converter's form. */
const jsonKey = (table: ShopTable, id: number, form: ConverterForm): unknown =>
  form === 'schemas' ? { schema: keySchema(table), payload: { id } } : { id };

/** The record key: the primary key struct, in the key converter's form; none for a truncate. */
export const encodeKey = (change: DebeziumChange, form: ConverterForm): unknown =>
  change.id === null ? undefined : jsonKey(change.table, change.id, form);

/**
 * The worker's header.converter: Connect's default SimpleHeaderConverter writes a Struct as its toString
 * (`Struct{id=11}`, Values.convertToString); the JSON converter as JSON, with the schema when schemas.enable.
 */
export type HeaderConverter = 'simple' | ConverterForm;

/** The key-change header's bytes as the header converter writes them. */
export const encodeKeyHeader = (
  table: ShopTable,
  header: KeyChangeHeader,
  converter: HeaderConverter,
): Readonly<Record<string, readonly number[]>> => {
  const text =
    converter === 'simple' ? `Struct{id=${header.id}}` : JSON.stringify(jsonKey(table, header.id, converter));
  return { [header.name]: [...Buffer.from(text, 'utf8')] };
};
