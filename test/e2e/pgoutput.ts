import type pg from 'pg';

/**
 * Reads a logical replication slot through the pgoutput plugin, the one the contract's connector uses
 * (plugin.name=pgoutput), via SQL: `pg_logical_slot_get_binary_changes` returns one row per pgoutput
 * message with the LSN the walsender would have sent as the XLogData's start (the decoding context's
 * write_location: the change's LSN for a row change, the end of the commit record for COMMIT). That is the
 * LSN Debezium reads with `stream.lastReceivedLsn()` in PostgresStreamingChangeEventSource
 * .processReplicationMessages, so the positions below are the ones the connector would write.
 *
 * Message layout: PostgreSQL "Logical Replication Message Formats", protocol version 1; Debezium's reader of
 * the same bytes is connection/pgoutput/PgOutputMessageDecoder.java.
 */

/** One column of a tuple: pgoutput's 'n' (null), 'u' (unchanged TOASTed value, not sent), 't' (text). */
export type TupleValue = null | typeof UNCHANGED_TOAST | string;

export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');

export type TextRow = Readonly<Record<string, TupleValue>>;

export interface RowChange {
  readonly lsn: bigint;
  readonly table: string;
  /** `t`: one relation of a Truncate message (every relation of one message shares its LSN). */
  readonly op: 'c' | 'u' | 'd' | 't';
  /**
   * The new tuple (insert, update), the old tuple (delete: 'K', the key columns with the rest null, or 'O',
   * the whole row with REPLICA IDENTITY FULL), or no column (truncate).
   */
  readonly row: TextRow;
  /**
   * An update's old tuple when pgoutput sends one: 'O' (the whole old row) with REPLICA IDENTITY FULL, or
   * 'K' (the old key, the rest null) when the statement changed the key (logicalrep_write_update).
   */
  readonly old?: TextRow;
}

export interface StreamedTransaction {
  readonly xid: number;
  /** Commit time from the BEGIN message, µs since 1970 (Debezium's source.ts_ms comes from it). */
  readonly commitTimeUs: bigint;
  /** The LSN of the COMMIT message as the stream delivers it: what becomes the next lastCommitLsn. */
  readonly commitLsn: bigint;
  readonly changes: readonly RowChange[];
}

/** PostgreSQL's epoch (2000-01-01) in µs after 1970: pgoutput timestamps count from it. */
const PG_EPOCH_US = 946_684_800_000_000n;

/** 'X/Y' (pg_lsn text) → the 64-bit LSN, as Lsn.valueOf(String) and Lsn.asLong() in Debezium. */
export const lsnFromText = (text: string): bigint => {
  const [high, low] = text.split('/');
  if (high === undefined || low === undefined) throw new Error(`not an LSN: ${text}`);
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
};

class Reader {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}
  byte(): number {
    return this.bytes.readUInt8(this.at++);
  }
  int16(): number {
    const value = this.bytes.readInt16BE(this.at);
    this.at += 2;
    return value;
  }
  int32(): number {
    const value = this.bytes.readInt32BE(this.at);
    this.at += 4;
    return value;
  }
  int64(): bigint {
    const value = this.bytes.readBigInt64BE(this.at);
    this.at += 8;
    return value;
  }
  /** A NUL-terminated string. */
  string(): string {
    const end = this.bytes.indexOf(0, this.at);
    const value = this.bytes.toString('utf8', this.at, end);
    this.at = end + 1;
    return value;
  }
  text(length: number): string {
    const value = this.bytes.toString('utf8', this.at, this.at + length);
    this.at += length;
    return value;
  }
}

interface Relation {
  readonly table: string;
  readonly columns: readonly string[];
}

const readTuple = (reader: Reader, relation: Relation): TextRow => {
  const count = reader.int16();
  const row: Record<string, TupleValue> = {};
  for (let index = 0; index < count; index += 1) {
    const name = relation.columns[index] ?? `#${index}`;
    const kind = String.fromCharCode(reader.byte());
    if (kind === 'n') row[name] = null;
    else if (kind === 'u') row[name] = UNCHANGED_TOAST;
    else if (kind === 't') row[name] = reader.text(reader.int32());
    else throw new Error(`pgoutput tuple column kind ${kind} not handled (binary mode is off)`);
  }
  return row;
};

interface OpenTransaction {
  xid: number;
  commitTimeUs: bigint;
  changes: RowChange[];
}

/** Decodes the slot's messages, in the order the slot gives them (commit order), into transactions. */
export const decodePgOutput = (
  messages: ReadonlyArray<{ readonly lsn: bigint; readonly data: Buffer }>,
): StreamedTransaction[] => {
  const relations = new Map<number, Relation>();
  const transactions: StreamedTransaction[] = [];
  let open: OpenTransaction | undefined;
  const relationOf = (id: number): Relation => {
    const relation = relations.get(id);
    if (relation === undefined) throw new Error(`pgoutput: change for unknown relation ${id}`);
    return relation;
  };
  const push = (lsn: bigint, id: number, op: RowChange['op'], row: TextRow, old?: TextRow): void => {
    if (open === undefined) throw new Error('pgoutput: row change outside a transaction');
    open.changes.push({ lsn, table: relationOf(id).table, op, row, ...(old === undefined ? {} : { old }) });
  };
  for (const { lsn, data } of messages) {
    const reader = new Reader(data);
    const tag = String.fromCharCode(reader.byte());
    if (tag === 'B') {
      reader.int64(); // final LSN of the transaction
      const commitTime = reader.int64();
      open = { xid: reader.int32() >>> 0, commitTimeUs: commitTime + PG_EPOCH_US, changes: [] };
    } else if (tag === 'C') {
      if (open === undefined) throw new Error('pgoutput: COMMIT without BEGIN');
      transactions.push({ ...open, commitLsn: lsn });
      open = undefined;
    } else if (tag === 'R') {
      const id = reader.int32();
      reader.string(); // namespace
      const table = reader.string();
      reader.byte(); // replica identity setting
      const columns: string[] = [];
      for (let count = reader.int16(); count > 0; count -= 1) {
        reader.byte(); // flags: 1 = part of the key
        columns.push(reader.string());
        reader.int32(); // type OID
        reader.int32(); // type modifier
      }
      relations.set(id, { table, columns });
    } else if (tag === 'I') {
      const id = reader.int32();
      reader.byte(); // 'N'
      push(lsn, id, 'c', readTuple(reader, relationOf(id)));
    } else if (tag === 'U') {
      const id = reader.int32();
      let kind = String.fromCharCode(reader.byte());
      let old: TextRow | undefined;
      if (kind === 'K' || kind === 'O') {
        old = readTuple(reader, relationOf(id)); // only with REPLICA IDENTITY FULL or a key change
        kind = String.fromCharCode(reader.byte());
      }
      push(lsn, id, 'u', readTuple(reader, relationOf(id)), old);
    } else if (tag === 'D') {
      const id = reader.int32();
      reader.byte(); // 'K' (key columns, the rest null) or 'O' (REPLICA IDENTITY FULL)
      push(lsn, id, 'd', readTuple(reader, relationOf(id)));
    } else if (tag === 'T') {
      // Int32 relation count, Int8 options (CASCADE, RESTART IDENTITY), then the relation ids in the
      // order of the statement's list; Debezium's PgOutputMessageDecoder.decodeTruncate emits one
      // truncate message per relation in that order, the last one flagged lastTableInTruncate.
      const count = reader.int32();
      reader.byte();
      for (let index = 0; index < count; index += 1) push(lsn, reader.int32(), 't', {});
    }
    // 'Y' (type), 'O' (origin), 'M' (message): the workload sends no message.
  }
  if (open !== undefined) throw new Error('pgoutput: the slot ended inside a transaction');
  return transactions;
};

/** The slot's changes since it was created (consumed: the slot advances past them). */
export const readSlot = async (
  client: pg.ClientBase,
  slot: string,
  publication: string,
): Promise<StreamedTransaction[]> => {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const result = await client.query<{ lsn: string; data: Buffer }>(
        `SELECT lsn::text AS lsn, data FROM pg_logical_slot_get_binary_changes($1, NULL, NULL,
           'proto_version', '1', 'publication_names', $2)`,
        [slot, publication],
      );
      return decodePgOutput(result.rows.map(({ lsn, data }) => ({ lsn: lsnFromText(lsn), data })));
    } catch (error) {
      // 55006: the slot is still held by the walsender that created it, which has not exited yet.
      if ((error as { code?: string }).code !== '55006' || attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
};
