import type { PositionKey } from '../../lambda/inventory/changes.js';
import { MAX_LSN, positionKey, type SourcePosition } from '../../lambda/inventory/position.js';
import { UsageError } from '../cli/errors.js';

/** P: the `source.sequence` of the last change the Python service applied (docs/cutover.md, step 2). */
export interface CutoverPosition {
  readonly lastCommitLsn: bigint;
  readonly lsn: bigint;
}

/** An LSN as Debezium writes it in `sequence` (a decimal string or number) or as PostgreSQL prints it (X/Y). */
const parseLsn = (value: unknown, what: string, raw: string): bigint => {
  let lsn: bigint | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) lsn = BigInt(value);
  else if (typeof value === 'string' && /^\d{1,20}$/.test(value.trim())) lsn = BigInt(value.trim());
  else if (typeof value === 'string' && /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/.test(value.trim())) {
    const [high, low] = value.trim().split('/') as [string, string];
    lsn = (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
  }
  if (lsn === undefined || lsn > MAX_LSN) {
    throw new UsageError(
      `--position: ${what} must be an LSN (decimal as in source.sequence, or X/Y as PostgreSQL prints it), got ${JSON.stringify(value)} in '${raw}'`,
    );
  }
  return lsn;
};

const elementsOf = (raw: string): unknown[] => {
  const text = raw.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new UsageError(`--position is not a JSON array: '${raw}'`, { cause });
    }
    if (!Array.isArray(parsed) || parsed.length !== 2) {
      throw new UsageError(`--position must hold two LSNs, ["<lastCommitLsn>","<lsn>"], got '${raw}'`);
    }
    return parsed;
  }
  const parts = text.split(/\s*,\s*/);
  if (parts.length !== 2) {
    throw new UsageError(
      `--position must be source.sequence, '["<lastCommitLsn>","<lsn>"]', or the pair '<lastCommitLsn>,<lsn>', got '${raw}'`,
    );
  }
  return parts;
};

/**
 * `--position` → P. Accepts what `source.sequence` holds (`["24023128","24023176"]`, the JSON array in the
 * string) or the bare pair (`24023128,24023176`). A null lastCommitLsn is refused: Debezium sends it only for
 * the initial snapshot and the first transaction streamed after it, whose changes are ordered by their own
 * LSN (lambda/inventory/position.ts), and a long transaction there can sort below a stamp it committed
 * after; the cure is to let the connector stream one more transaction and take that change's position.
 */
export const parseCutoverPosition = (raw: string): CutoverPosition => {
  const [lastCommit, lsn] = elementsOf(raw);
  if (lastCommit === null || lastCommit === 'null' || lastCommit === '') {
    throw new UsageError(
      '--position has no lastCommitLsn (a snapshot row or the first streamed transaction): take the position ' +
        'of a later change, once the connector has streamed at least one more transaction',
    );
  }
  return {
    lastCommitLsn: parseLsn(lastCommit, 'lastCommitLsn', raw),
    lsn: parseLsn(lsn, 'lsn', raw),
  };
};

/** The stamp's two positions, in the function's own terms. */
export interface StampPositions {
  /** `cdc_position`: P itself, so P's products change is a duplicate and every earlier one stale. */
  readonly cdcPosition: PositionKey;
  /**
   * `stock_position`: just after P. Order lines count from `stock_position` on (at or after it), so P's own
   * order line, already in the Python service's stock, must sort below it; every change committed after P
   * sorts at or above it (a later transaction has a higher lastCommitLsn, a later change of P's transaction
   * a higher LSN, and no WAL record is one byte long).
   */
  readonly stockPosition: PositionKey;
}

const streamed = (lastCommitLsn: bigint, lsn: bigint): SourcePosition => ({
  lsn,
  sequence: { lastCommitLsn, lsn },
  sourceTsMs: undefined,
});

/** Pure: P → the keys lambda/inventory/position.ts gives P and the first position after it, in `epoch`. */
export const stampPositions = (position: CutoverPosition, epoch: number): StampPositions => {
  const context = { snapshot: false, epoch, offset: 0 };
  if (position.lsn >= MAX_LSN) throw new UsageError('--position: the lsn is the largest there is');
  return {
    cdcPosition: positionKey(streamed(position.lastCommitLsn, position.lsn), context),
    stockPosition: positionKey(streamed(position.lastCommitLsn, position.lsn + 1n), context),
  };
};

/** P as source.sequence writes it, for the report. */
export const formatCutoverPosition = (position: CutoverPosition): string =>
  JSON.stringify([String(position.lastCommitLsn), String(position.lsn)]);
