/**
 * How the shop writes stock, declared by the operator (`STOCK_MODEL`); see SOURCE_SCHEMA.md, "Stock models".
 * - ORDERS: `products.stock_quantity` is a count people set; order lines committed after it subtract.
 * - PRODUCTS: the shop's order transaction updates `products.stock_quantity`; order lines never count.
 * - LEDGER: `products.stock_quantity` counts what was received; products changes move the stock by their
 *   difference and order lines subtract, so every step commutes.
 */
export const StockModel = {
  ORDERS: 'orders',
  PRODUCTS: 'products',
  LEDGER: 'ledger',
} as const;
export type StockModel = (typeof StockModel)[keyof typeof StockModel];

export const STOCK_MODELS: readonly StockModel[] = Object.values(StockModel);

/** Whether order lines change the stock at all under `model`. */
export const orderLinesCount = (model: StockModel): boolean => model !== StockModel.PRODUCTS;

/**
 * Snapshot order lines (`op: r`) are orders committed before the snapshot point: under ORDERS and PRODUCTS
 * the snapshotted products row already reflects them; under LEDGER they subtract like any order line.
 */
export const snapshotOrderLinesCount = (model: StockModel): boolean => model === StockModel.LEDGER;
