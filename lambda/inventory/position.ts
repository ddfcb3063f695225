import type { PositionKey } from './changes.js';

/**
 * Where a change sits in the source's commit order, as Debezium's Postgres connector describes it.
 * See SourceInfo.sequence() in debezium-connector-postgres: `["<lastCommitLsn>", "<lsn>"]`, where
 * lastCommitLsn is the LSN of the previous COMMIT the connector processed (null before the first one, so
 * during the initial snapshot and the first streamed transaction after it) and lsn the change's own LSN.
 */
export interface SourcePosition {
  /** The change's own WAL position (`source.lsn`, unwrapped `__lsn`). */
  readonly lsn: bigint | undefined;
  /** `source.sequence` parsed; absent on connectors before 1.4 and on unwrapped rows without it. */
  readonly sequence:
    | { readonly lastCommitLsn: bigint | undefined; readonly lsn: bigint | undefined }
    | undefined;
  /** Commit time in the source (`source.ts_ms`), else the connector's processing time. */
  readonly sourceTsMs: number | undefined;
}

export interface PositionContext {
  /** A snapshot row (`op: r`). */
  readonly snapshot: boolean;
  /** SOURCE_EPOCH: raised by the operator when LSNs start again (database moved, new slot and snapshot). */
  readonly epoch: number;
  /** Kafka offset: only the last fallback uses it, to break ties between changes of one millisecond. */
  readonly offset: number;
}

/** What ordering the position rests on, from best to worst; README "Commit order" says what each loses. */
export const PositionBasis = {
  SEQUENCE: 'sequence',
  LSN: 'lsn',
  SOURCE_TIME: 'source-time',
} as const;
export type PositionBasis = (typeof PositionBasis)[keyof typeof PositionBasis];

const LSN_DIGITS = 16;
/** The largest LSN PostgreSQL can write (64 bits); position keys hold up to it. */
export const MAX_LSN = (1n << 64n) - 1n;

const hex = (value: bigint | number, width: number): string => {
  const whole = typeof value === 'bigint' ? value : BigInt(Math.max(0, Math.trunc(value)));
  const clamped = whole < 0n ? 0n : whole > MAX_LSN ? MAX_LSN : whole;
  return clamped.toString(16).padStart(width, '0');
};

/**
 * Initial-snapshot rows sort before everything streamed in the same epoch: Debezium emits the snapshot
 * first and streams only transactions that committed after the slot's consistent point, even those whose
 * changes have lower LSNs (they began before it). Incremental-snapshot rows carry a lastCommitLsn and are
 * ordered with the stream, which is how Debezium's watermarking places them.
 */
const Tier = { SNAPSHOT: '0', STREAM: '1' } as const;

export const positionBasis = (source: SourcePosition): PositionBasis => {
  if (source.sequence?.lsn !== undefined) return PositionBasis.SEQUENCE;
  return source.lsn === undefined ? PositionBasis.SOURCE_TIME : PositionBasis.LSN;
};

/**
 * A string that sorts like the commit order: epoch, tier, then the pair (lastCommitLsn, lsn) compared as
 * Debezium's sequence is meant to be compared. Equal first elements mean one transaction; a transaction
 * that began earlier but committed later has a higher lastCommitLsn and so sorts later despite its lower
 * change LSNs. Fixed-width hex keeps lexicographic order equal to numeric order, so DynamoDB can compare
 * positions in a condition expression.
 *
 * Fallbacks: without `sequence`, the change LSN alone (interleaved transactions may then be misordered);
 * without any LSN, source time then Kafka offset (re-emitted copies are then new changes: a connector must
 * send `__lsn` for exactly-once).
 */
export const positionKey = (source: SourcePosition, context: PositionContext): PositionKey => {
  const epoch = hex(context.epoch, 4);
  const lastCommit = source.sequence?.lastCommitLsn;
  const lsn = source.sequence?.lsn ?? source.lsn;
  const basis = positionBasis(source);
  const snapshot = context.snapshot && lastCommit === undefined;
  const tier = snapshot ? Tier.SNAPSHOT : Tier.STREAM;
  if (basis === PositionBasis.SOURCE_TIME) {
    return `${epoch}${tier}${hex(0, LSN_DIGITS * 2)}${hex(source.sourceTsMs ?? 0, 12)}${hex(context.offset, 16)}`;
  }
  const change = lsn ?? 0n;
  if (snapshot) return `${epoch}${tier}${hex(change, LSN_DIGITS)}${hex(0, LSN_DIGITS)}`;
  // Without a last commit (the first transaction a connector streams, after its snapshot or a restart with
  // fresh offsets) the change's own LSN stands in: that transaction commits after it, and every later one
  // has a last commit at or above that commit, so the order holds; and a copy re-sent after a restart whose
  // restored last commit is this very LSN (lsn_proc) keeps the same position.
  const commit = basis === PositionBasis.SEQUENCE ? (lastCommit ?? change) : change;
  return `${epoch}${tier}${hex(commit, LSN_DIGITS)}${hex(change, LSN_DIGITS)}`;
};
