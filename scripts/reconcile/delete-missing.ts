import type { PositionKey, ProductDeleted } from '../../lambda/inventory/changes.js';
import { positionKey } from '../../lambda/inventory/position.js';
import { Outcome } from '../../lambda/store/outcome.js';
import { deleteProduct } from '../../lambda/store/product-writes.js';
import type { StoreContext } from '../../lambda/store/store-context.js';
import type { ProductsDatabase } from './database.js';

/** What `--delete-missing` did with the items that have no products row. */
export interface DeleteMissingResult {
  /** The database's WAL position read after the comparison, and the delete position built from it. */
  readonly lsn: bigint;
  readonly position: PositionKey;
  /** Removed, with the delete recorded in the ledger head at `position`. */
  readonly deleted: readonly number[];
  /** Gone from the table meanwhile: the delete is recorded anyway, so no older change brings it back. */
  readonly alreadyAbsent: readonly number[];
  /** A products row with the id exists again (created since the comparison): left alone. */
  readonly reappeared: readonly number[];
  /** The item reflects a change at or after `position` (another SOURCE_EPOCH?): left alone. */
  readonly newer: readonly number[];
}

/**
 * The key of a delete committed just now: (lastCommitLsn = the WAL position read now, lsn 0). Every change
 * committed before the read has a lower lastCommitLsn, so no older update, snapshot row or replay can bring
 * the product back. A row of the same id inserted again right after the read may sort below it too and be
 * refused; reconcile then reports it missing from the table, and --repair-sql sends it again.
 */
export const deletePosition = (lsn: bigint, epoch: number): PositionKey =>
  positionKey(
    { lsn: 0n, sequence: { lastCommitLsn: lsn, lsn: 0n }, sourceTsMs: undefined },
    { snapshot: false, epoch, offset: 0 },
  );

/** Never written: deleteProduct needs only the id and the position; the record names who deleted. */
const RECONCILE_RECORD = {
  topic: 'npm run reconcile -- --delete-missing',
  partition: 0,
  offset: 0,
  timestamp: 0,
  key: null,
  value: null,
  headers: [],
} as unknown as ProductDeleted['record'];

/**
 * Removes items whose products row is gone, as the function removes a deleted product: the item's delete
 * and the head's `deleted_at` in one transaction (lambda/store/product-writes.ts deleteProduct). The WAL
 * position is read after the comparison found the rows absent, and the rows are looked up once more after
 * that read, so a row that exists again is never deleted.
 */
export const deleteMissingItems = async (
  ids: readonly number[],
  database: ProductsDatabase,
  store: StoreContext,
  epoch: number,
): Promise<DeleteMissingResult> => {
  const lsn = await database.currentLsn();
  const position = deletePosition(lsn, epoch);
  const existing = await database.existingIds(ids);
  const result = { deleted: [] as number[], alreadyAbsent: [] as number[], newer: [] as number[] };
  for (const productId of ids) {
    if (existing.has(productId)) continue;
    const change: ProductDeleted = {
      type: 'ProductDeleted',
      productId,
      position,
      sourceTsMs: undefined,
      record: RECONCILE_RECORD,
    };
    const outcome = await deleteProduct(store, change);
    if (outcome === Outcome.APPLIED) result.deleted.push(productId);
    else if (outcome === Outcome.ALREADY_ABSENT) result.alreadyAbsent.push(productId);
    else result.newer.push(productId);
  }
  return { lsn, position, ...result, reappeared: ids.filter((id) => existing.has(id)) };
};

const formatLsn = (lsn: bigint): string =>
  `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;

const ids = (list: readonly number[]): string =>
  list.length > 50 ? `${list.slice(0, 50).join(', ')}, … (${list.length})` : list.join(', ');

/** The lines the operator reads: what was removed for good, and what was left and why. */
export const formatDeleteMissing = (result: DeleteMissingResult): string => {
  const lines = [
    `--delete-missing: delete recorded at PostgreSQL WAL position ${formatLsn(result.lsn)} (${result.position})`,
    `  deleted          ${result.deleted.length}${result.deleted.length > 0 ? `   ${ids(result.deleted)}` : ''}`,
  ];
  if (result.alreadyAbsent.length > 0)
    lines.push(
      `  already gone     ${result.alreadyAbsent.length}   ${ids(result.alreadyAbsent)} (delete recorded)`,
    );
  if (result.reappeared.length > 0)
    lines.push(
      `  row again        ${result.reappeared.length}   ${ids(result.reappeared)} (left alone: run reconcile again)`,
    );
  if (result.newer.length > 0)
    lines.push(
      `  newer than now   ${result.newer.length}   ${ids(result.newer)} (left alone: the item reflects a later position; is SOURCE_EPOCH the connector's?)`,
    );
  return `${lines.join('\n')}\n`;
};
