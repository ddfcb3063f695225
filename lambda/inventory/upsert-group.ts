import type { PositionKey, ProductColumns, ProductUpserted } from './changes.js';
import { StockModel } from './stock-model.js';
import { reflectedPosition, type StoredProduct } from './stored-product.js';

/** What a run of products changes does to the stock, per the stock model (SOURCE_SCHEMA.md). */
export type StockEffect =
  /** The stock stays as it is (orders model: stock_quantity unchanged). */
  | { readonly kind: 'keep' }
  /** products model: the row's value is the stock. */
  | { readonly kind: 'set'; readonly value: number }
  /** ledger model: the stock moves by the received difference; commutes with order lines. */
  | { readonly kind: 'move'; readonly delta: number }
  /**
   * The stock becomes `value` minus the order lines committed at or after `from` that the ledger already
   * holds (they arrived before this change), and order lines count from `from` on.
   */
  | { readonly kind: 'reset'; readonly value: number; readonly from: PositionKey };

const KEEP: StockEffect = { kind: 'keep' };

/**
 * What applying a run of upserts of one product one by one would do, given what the store holds: which
 * changes take effect, which are copies of the stored one and which are superseded, and the single write
 * that has the same effect as the ones that take effect.
 */
export interface UpsertGroupPlan {
  readonly applied: readonly ProductUpserted[];
  readonly duplicates: readonly ProductUpserted[];
  readonly stale: readonly ProductUpserted[];
  /** One upsert equal in columns to `applied` in order, at the newest position; absent when none applies. */
  readonly merged: ProductUpserted | undefined;
  /** `products.stock_quantity` after the run (the next change's previous version). */
  readonly sourceStock: number | undefined;
  readonly stock: StockEffect;
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

interface StockFold {
  readonly known: boolean;
  readonly sourceStock: number | undefined;
  readonly effect: StockEffect;
}

/**
 * One applied change's effect on the stock, on top of the run so far. `known` says whether the previous
 * version's stock_quantity is known (false for a new item or one without our bookkeeping).
 */
const foldStock = (model: StockModel, fold: StockFold, change: ProductUpserted): StockFold => {
  const value = change.columns.stockQuantity;
  if (value === undefined) return fold;
  const reset: StockEffect = { kind: 'reset', value, from: change.position };
  if (model === StockModel.PRODUCTS)
    return { known: true, sourceStock: value, effect: { kind: 'set', value } };
  if (!fold.known || fold.sourceStock === undefined || change.created === true)
    return { known: true, sourceStock: value, effect: reset };
  if (model === StockModel.ORDERS) {
    // A change sets the stock only if it changed the count. A snapshot row is the starting state where
    // nothing is known yet (above); on a known item (an incremental snapshot, a repair) it is compared
    // like any version, or it would wipe out the order lines since the last count.
    const sets = value !== fold.sourceStock;
    return { known: true, sourceStock: value, effect: sets ? reset : fold.effect };
  }
  const delta = value - fold.sourceStock;
  const { effect } = fold;
  if (effect.kind === 'reset')
    return { known: true, sourceStock: value, effect: { ...effect, value: effect.value + delta } };
  const moved = (effect.kind === 'move' ? effect.delta : 0) + delta;
  return { known: true, sourceStock: value, effect: { kind: 'move', delta: moved } };
};

/**
 * Pure: folds consecutive upserts of one product (in delivery order) as applying them one by one in
 * commit order would. Positions need not increase in delivery order: a connector restart re-emits changes
 * at new offsets, and a copy of the stored change is a duplicate whatever its offset.
 */
export const planUpsertGroup = (
  changes: readonly ProductUpserted[],
  stored: StoredProduct,
  model: StockModel,
): UpsertGroupPlan => {
  const applied: ProductUpserted[] = [];
  const duplicates: ProductUpserted[] = [];
  const stale: ProductUpserted[] = [];
  let current = reflectedPosition(stored);
  let merged: ProductUpserted | undefined;
  let stock: StockFold = { known: stored.exists, sourceStock: stored.sourceStock, effect: KEEP };
  for (const change of changes) {
    if (current === undefined || current < change.position) {
      applied.push(change);
      merged =
        merged === undefined ? change : { ...change, columns: mergeColumns(merged.columns, change.columns) };
      stock = foldStock(model, stock, change);
      current = change.position;
    } else if (current === change.position) {
      duplicates.push(change);
    } else {
      stale.push(change);
    }
  }
  return { applied, duplicates, stale, merged, sourceStock: stock.sourceStock, stock: stock.effect };
};

/** A run of upserts that the position alone decides: no read, one conditional write (see below). */
export interface BlindUpsertPlan {
  /** One upsert equal in columns to the run in order, at its newest position. */
  readonly merged: ProductUpserted;
  /** Every change of the run must be newer than what the item holds: the oldest position. */
  readonly oldest: PositionKey;
  /**
   * `products.stock_quantity` the run carries (all alike), which the stored previous version must equal
   * for the run to leave the stock as it is under `orders` and `ledger`; undefined when none carries it.
   */
  readonly sourceStock: number | undefined;
  /** products model: the row's value is the stock. */
  readonly setsStock: boolean;
}

/**
 * Pure: the common products change (a price, name or description edit; under `products` any change)
 * planned without reading the item. It applies only if every change is newer than the stored one and, under
 * `orders` and `ledger`, the stored previous `stock_quantity` equals the run's: the write's condition checks
 * exactly that, and a refused condition falls back to read-plan-write. Undefined when the run itself already
 * needs the stored state: positions not increasing in delivery order (copies and re-emissions), stock
 * values that differ within the run (a count set, a receipt), inserts and snapshot rows (mostly creates, for
 * which the blind write would only be refused first, and a new count).
 */
export const planBlindUpsert = (
  changes: readonly ProductUpserted[],
  model: StockModel,
): BlindUpsertPlan | undefined => {
  const [first] = changes;
  if (first === undefined || changes.some((change) => change.snapshot || change.created === true))
    return undefined;
  let merged = first;
  let sourceStock = first.columns.stockQuantity;
  for (const change of changes.slice(1)) {
    if (change.position <= merged.position) return undefined;
    const stock = change.columns.stockQuantity;
    if (
      stock !== undefined &&
      sourceStock !== undefined &&
      stock !== sourceStock &&
      model !== StockModel.PRODUCTS
    )
      return undefined;
    sourceStock = stock ?? sourceStock;
    merged = { ...change, columns: mergeColumns(merged.columns, change.columns) };
  }
  return {
    merged,
    oldest: first.position,
    sourceStock,
    setsStock: model === StockModel.PRODUCTS && sourceStock !== undefined,
  };
};
