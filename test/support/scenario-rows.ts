import { BASE_TS_MS, type OrderItemRow, type ProductRow, type SourceAt } from './debezium.js';

/** A source position as Debezium writes it: `sequence` [lastCommit, lsn], committed near now. */
export const at = (lastCommit: number | null, lsn: number): SourceAt => ({
  lastCommit,
  lsn,
  tsMs: BASE_TS_MS + lsn,
});

/** Product 1, the laptop most scenarios follow. */
export const laptop = (stock: number, price = '1299.99'): ProductRow => ({
  id: 1,
  name: 'Laptop',
  description: 'fast',
  price,
  stock_quantity: stock,
});

export const order = (id: number, quantity: number, productId = 1): OrderItemRow => ({
  id,
  order_id: 9000 + id,
  product_id: productId,
  quantity,
});
