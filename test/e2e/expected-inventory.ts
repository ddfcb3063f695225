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
 *   minus every order line of the product, snapshot lines included. A re-created id's earlier lines were
 *   deleted with it (the foreign key), so the lines still in order_items are exactly the live product's.
 * - orders: the last products change that set the count (the create or snapshot row, or an update whose
 *   stock_quantity differs from the previous version's) fixes the stock at its commit position; the order
 *   lines committed after it subtract, those before it are in the count. The count is the row's current
 *   stock_quantity (later changes left it as it was).
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
 * read whole and the TOAST markers resolved to the value they stand for (the previous version's).
 */
export const replayProducts = (
  snapshot: readonly DebeziumChange[],
  streamed: readonly DebeziumChange[],
): Map<number, ReplayedRow> => {
  const rows = new Map<number, ReplayedRow>();
  for (const { rank, change } of ranked(snapshot, streamed)) {
    if (change.table !== 'products') continue;
    if (change.op === 'd') {
      rows.delete(change.id);
      continue;
    }
    const after = change.after ?? {};
    const previous = rows.get(change.id);
    const description =
      after.description === UNCHANGED_TOAST ? (previous?.description ?? null) : after.description;
    const stock = Number(after.stock_quantity);
    const setsCount = previous === undefined || change.op !== 'u' || stock !== previous.stock_quantity;
    rows.set(change.id, {
      name: String(after.name),
      description: (description ?? null) as string | null,
      price: String(after.price),
      stock_quantity: stock,
      countRank: setsCount ? rank : (previous?.countRank ?? rank),
    });
  }
  return rows;
};

/** The rank at which each order line still in the table was committed. */
const lineRanks = (snapshot: readonly DebeziumChange[], streamed: readonly DebeziumChange[]) => {
  const ranks = new Map<number, number>();
  for (const { rank, change } of ranked(snapshot, streamed)) {
    if (change.table === 'order_items' && (change.op === 'c' || change.op === 'r'))
      ranks.set(change.id, rank);
  }
  return ranks;
};

export const expectedInventory = (
  model: StockModel,
  state: SourceState,
  snapshot: readonly DebeziumChange[],
  streamed: readonly DebeziumChange[],
): ExpectedItem[] => {
  const replayed = replayProducts(snapshot, streamed);
  const committedAt = lineRanks(snapshot, streamed);
  return state.products.map((product) => {
    const lines = state.orderLines.filter((line) => line.product_id === product.id);
    let stock = product.stock_quantity;
    if (model === 'ledger') stock -= lines.reduce((sum, line) => sum + line.quantity, 0);
    if (model === 'orders') {
      const countRank = replayed.get(product.id)?.countRank;
      if (countRank === undefined) throw new Error(`product ${product.id} is live in SQL but not in the WAL`);
      for (const line of lines) {
        const rank = committedAt.get(line.id);
        if (rank === undefined) throw new Error(`order line ${line.id} is in SQL but not in the WAL`);
        if (rank > countRank) stock -= line.quantity;
      }
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
