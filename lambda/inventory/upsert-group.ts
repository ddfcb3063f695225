import type { PositionKey, ProductColumns, ProductUpserted } from './changes.js';

/**
 * What applying a run of upserts of one product one by one would do, given the position the item holds:
 * which changes take effect, which are copies of the stored one and which are superseded, and the single
 * upsert that has the same effect as the ones that take effect.
 */
export interface UpsertGroupPlan {
  /** Changes a one-by-one application would apply, in order; their positions strictly increase. */
  readonly applied: readonly ProductUpserted[];
  /** Changes whose position equals the item's at their turn: already in (redelivery or re-emission). */
  readonly duplicates: readonly ProductUpserted[];
  /** Changes older than the item's position at their turn. */
  readonly stale: readonly ProductUpserted[];
  /** One upsert equal in effect to `applied` in order, at the newest position; absent when none applies. */
  readonly merged: ProductUpserted | undefined;
  /**
   * The merged write is equivalent only while the stored position is below this one (the lowest applied
   * position): the write's condition. When it fails, the group is re-planned from a fresh read.
   */
  readonly guard: PositionKey | undefined;
}

/** Later columns win; a column a later change does not carry keeps the earlier value. */
export const mergeColumns = (earlier: ProductColumns, later: ProductColumns): ProductColumns => {
  const merged: { -readonly [K in keyof ProductColumns]: ProductColumns[K] } = { ...earlier };
  if (later.name !== undefined) merged.name = later.name;
  if (later.description !== undefined) merged.description = later.description;
  if (later.price !== undefined) merged.price = later.price;
  if (later.stockQuantity !== undefined) merged.stockQuantity = later.stockQuantity;
  return merged;
};

const mergeInto = (earlier: ProductUpserted, later: ProductUpserted): ProductUpserted => ({
  ...later,
  columns: mergeColumns(earlier.columns, later.columns),
});

/**
 * Pure: folds consecutive upserts of one product (in delivery order) as the per-change position guard
 * would apply them one by one against an item at `storedPosition` (undefined: no item, or no position).
 * Positions need not increase in delivery order: a connector restart re-emits changes at new offsets.
 */
export const planUpsertGroup = (
  changes: readonly ProductUpserted[],
  storedPosition: PositionKey | undefined = undefined,
): UpsertGroupPlan => {
  const applied: ProductUpserted[] = [];
  const duplicates: ProductUpserted[] = [];
  const stale: ProductUpserted[] = [];
  let current = storedPosition;
  let merged: ProductUpserted | undefined;
  for (const change of changes) {
    if (current === undefined || current < change.position) {
      applied.push(change);
      merged = merged === undefined ? change : mergeInto(merged, change);
      current = change.position;
    } else if (current === change.position) {
      duplicates.push(change);
    } else {
      stale.push(change);
    }
  }
  return { applied, duplicates, stale, merged, guard: applied[0]?.position };
};
