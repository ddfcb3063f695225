import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { StockModel } from '../../lambda/inventory/stock-model.js';
import { Attr } from '../../lambda/store/attributes.js';
import type { DatabaseProduct, TableItem } from './compare.js';

/**
 * What the function does to an item's stock when the connector sends its products row again (an incremental
 * snapshot: a snapshot row at the snapshot's point, compared like any version; lambda/inventory/upsert-group.ts):
 */
export const SnapshotEffect = {
  /** products: the row's stock_quantity is the stock. Exact. */
  SET: 'set',
  /** orders, ledger: the row carries the count the item applied last: the stock stays as it is. */
  KEEP: 'keep',
  /** ledger: the count differs from the one applied: the stock moves by the difference (a missed receipt). */
  MOVE: 'move',
  /**
   * orders, ledger: no count to compare with (a new item, an item without source_stock, or under orders a
   * count that differs): the row becomes a new count at the snapshot's point, less only the order lines the
   * ledger holds at or after that point. Exact only for a product without order lines.
   */
  RESET: 'reset',
} as const;
export type SnapshotEffect = (typeof SnapshotEffect)[keyof typeof SnapshotEffect];

export interface SnapshotOutcome {
  readonly effect: SnapshotEffect;
  /**
   * Whether the repair keeps the stock at the truth or brings it there: false when the row would set a stock
   * the database cannot confirm (a reset with order lines) or, under ledger, a move that does not land on
   * the exact stock (count − ordered). Such a product is not sent again; the report says how to repair it.
   */
  readonly safe: boolean;
  /** The stock the rows prove, when they prove one (products, ledger; orders without order lines). */
  readonly truth?: number;
}

const numberOf = (value: AttributeValue | undefined): number | undefined =>
  value?.N === undefined ? undefined : Number(value.N);

/** Pure: what sending `row` again does to `item`'s stock (undefined item: the snapshot row creates it). */
export const snapshotOutcome = (
  model: StockModel,
  row: DatabaseProduct,
  item: TableItem | undefined,
): SnapshotOutcome => {
  if (model === StockModel.PRODUCTS)
    return { effect: SnapshotEffect.SET, safe: true, truth: row.stockQuantity };
  const truth =
    model === StockModel.LEDGER || row.ordered === 0 ? row.stockQuantity - row.ordered : undefined;
  const known = truth === undefined ? {} : { truth };
  const sourceStock = item === undefined ? undefined : numberOf(item[Attr.SOURCE_STOCK]);
  if (sourceStock === row.stockQuantity) return { effect: SnapshotEffect.KEEP, safe: true, ...known };
  if (model === StockModel.LEDGER && sourceStock !== undefined) {
    const after = (numberOf(item?.[Attr.STOCK_QUANTITY]) ?? 0) + row.stockQuantity - sourceStock;
    return { effect: SnapshotEffect.MOVE, safe: after === truth, ...known };
  }
  return { effect: SnapshotEffect.RESET, safe: row.ordered === 0, ...known };
};
