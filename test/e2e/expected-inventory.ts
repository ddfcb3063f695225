import type pg from 'pg';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { UNCHANGED_TOAST } from './pgoutput.js';
import type { DebeziumChange } from './wal-to-debezium.js';

/**
 * What the inventory table must equal, from the database itself: the live products and their columns are
 * what SQL says at the end; the stock follows the contract's stock model ("Stock models" in
 * ../shared/SOURCE_SCHEMA.md), which for `orders` depends on when each count was set relative to each order
 * line, i.e. on commit order. Commit order is what the WAL gives: the snapshot first (every row at the
 * consistent point), then the slot's transactions in the order they committed, each transaction's changes
 * in LSN order. Nothing here uses Kafka offsets or the connector's sequence: only SQL and the slot.
 *
 * - products: the stock is products.stock_quantity.
 * - ledger: every step commutes, so the stock is stock_quantity (all that was received, less nothing)
 *   minus every order line of the product as SQL holds it now (quantity as last committed), snapshot lines
 *   included. A re-created id's earlier lines were deleted with it (the foreign key), so the lines still in
 *   order_items are exactly the live product's.
 * - orders: the last products change that set the count (the create or snapshot row, or an update whose
 *   stock_quantity differs from the previous version's) fixes the stock at its commit position; what the
 *   order lines changed after it (created, edited, moved to or from the product, removed) moves it, what
 *   they held before it is in the count. The count is the row's current stock_quantity (later changes left
 *   it as it was).
 */

export interface ExpectedItem {
  readonly product_id: number;
  readonly name: string;
  readonly price: string;
  readonly stock_quantity: number;
  readonly description?: string;
}

interface SqlProduct {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  readonly price: string;
  readonly stock_quantity: number;
}

interface SqlOrderLine {
  readonly id: number;
  readonly product_id: number;
  readonly quantity: number;
}

export interface SourceState {
  readonly products: readonly SqlProduct[];
  readonly orderLines: readonly SqlOrderLine[];
}

export const readSourceState = async (client: pg.ClientBase): Promise<SourceState> => {
  const products = await client.query<SqlProduct>(
    'SELECT id, name, description, price::text AS price, stock_quantity FROM products ORDER BY id',
  );
  const lines = await client.query<SqlOrderLine>(
    'SELECT id, product_id, quantity FROM order_items ORDER BY id',
  );
  return { products: products.rows, orderLines: lines.rows };
};

/** The changes in commit order with their rank: 0 for every snapshot row (one position), then 1, 2, ... */
const ranked = (snapshot: readonly DebeziumChange[], streamed: readonly DebeziumChange[]) => [
  ...snapshot.map((change) => ({ rank: 0, change })),
  ...streamed.map((change, index) => ({ rank: index + 1, change })),
];

interface ReplayedRow {
  name: string;
  description: string | null;
  price: string;
  stock_quantity: number;
  /** The rank of the change that last set the count (orders model). */
  countRank: number;
}

/**
 * The products rows replayed from the WAL alone. It must end equal to SQL's rows: a check that the slot was
 * read whole and the TOAST markers resolved to the value they stand for: the previous version's, or for the
 * new key of a primary-key change the old key's (the delete just before it names the new key).
 * A truncate of products removes every row.
 */
export const replayProducts = (
  snapshot: readonly DebeziumChange[],
  streamed: readonly DebeziumChange[],
): Map<number, ReplayedRow> => {
  const rows = new Map<number, ReplayedRow>();
  const deleted = new Map<number, ReplayedRow>();
  for (const { rank, change } of ranked(snapshot, streamed)) {
    if (change.table !== 'products') continue;
    if (change.op === 't') {
      rows.clear();
      continue;
    }
    const id = change.id as number;
    if (change.op === 'd') {
      const row = rows.get(id);
      if (row !== undefined) deleted.set(id, row);
      rows.delete(id);
      continue;
    }
    const after = change.after ?? {};
    const previous = rows.get(id);
    const oldKey =
      change.keyHeader?.name === '__debezium.oldkey' ? deleted.get(change.keyHeader.id) : undefined;
    const description =
      after.description === UNCHANGED_TOAST ? ((previous ?? oldKey)?.description ?? null) : after.description;
    const stock = Number(after.stock_quantity);
    const setsCount = previous === undefined || change.op !== 'u' || stock !== previous.stock_quantity;
    rows.set(id, {
      name: String(after.name),
      description: (description ?? null) as string | null,
      price: String(after.price),
      stock_quantity: stock,
      countRank: setsCount ? rank : (previous?.countRank ?? rank),
    });
  }
  return rows;
};

interface ReplayedLine {
  readonly product_id: number;
  readonly quantity: number;
}

/**
 * The order lines as of each rank, replayed from the WAL: creates, snapshot reads and updates set a line
 * (its product and quantity), deletes remove it, a truncate of order_items removes them all.
 * `at(rank)` gives the lines after every change ranked at or below it.
 */
const orderLineHistory = (snapshot: readonly DebeziumChange[], streamed: readonly DebeziumChange[]) => {
  const changes = ranked(snapshot, streamed).filter(({ change }) => change.table === 'order_items');
  return (rank: number): Map<number, ReplayedLine> => {
    const lines = new Map<number, ReplayedLine>();
    for (const { rank: at, change } of changes) {
      if (at > rank) break;
      if (change.op === 't') lines.clear();
      else if (change.op === 'd') lines.delete(change.id as number);
      else {
        const after = change.after ?? {};
        lines.set(change.id as number, {
          product_id: Number(after.product_id),
          quantity: Number(after.quantity),
        });
      }
    }
    return lines;
  };
};

const quantityOf = (lines: Iterable<ReplayedLine>, product: number): number => {
  let sum = 0;
  for (const line of lines) if (line.product_id === product) sum += line.quantity;
  return sum;
};

/**
 * - ledger: stock_quantity less the product's lines as they are now (every step commutes).
 * - orders: the count set at countRank, less what the product's lines hold now, plus what they held at the
 *   count (that was already in it): each line created, edited, moved or removed after the count moves the
 *   stock by its change, each line as it was at the count moves nothing.
 */
export const expectedInventory = (
  model: StockModel,
  state: SourceState,
  snapshot: readonly DebeziumChange[],
  streamed: readonly DebeziumChange[],
): ExpectedItem[] => {
  const replayed = replayProducts(snapshot, streamed);
  const linesAt = orderLineHistory(snapshot, streamed);
  const linesNow = linesAt(Number.POSITIVE_INFINITY);
  for (const line of state.orderLines) {
    const replayedLine = linesNow.get(line.id);
    if (replayedLine?.product_id !== line.product_id || replayedLine.quantity !== line.quantity)
      throw new Error(
        `order line ${line.id} in SQL is ${JSON.stringify(line)}, in the WAL ${JSON.stringify(replayedLine)}`,
      );
  }
  if (linesNow.size !== state.orderLines.length) throw new Error('the WAL has order lines that SQL has not');
  return state.products.map((product) => {
    const now = quantityOf(state.orderLines, product.id);
    let stock = product.stock_quantity;
    if (model === 'ledger') stock -= now;
    if (model === 'orders') {
      const countRank = replayed.get(product.id)?.countRank;
      if (countRank === undefined) throw new Error(`product ${product.id} is live in SQL but not in the WAL`);
      stock += quantityOf(linesAt(countRank).values(), product.id) - now;
    }
    return {
      product_id: product.id,
      name: product.name,
      price: product.price,
      stock_quantity: stock,
      ...(product.description === null ? {} : { description: product.description }),
    };
  });
};
