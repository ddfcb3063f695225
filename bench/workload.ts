import { positionKey } from '../lambda/inventory/position.js';
import { ENTRIES_PER_TRANSACTION } from '../lambda/store/order-writes.js';
import {
  BASE_TS_MS,
  kafkaRecord,
  mskEvent,
  ORDER_ITEMS_TOPIC,
  orderItemEnvelopeAt,
  PRODUCTS_TOPIC,
  type ProductRow,
  productEnvelopeAt,
  type SourceAt,
  type TestKafkaRecord,
} from '../test/support/debezium.js';
import { seededRandom } from '../test/support/fault-injection.js';

export interface WorkloadOptions {
  readonly orderItems: number;
  readonly productEvents: number;
  readonly products: number;
  readonly partitions: number;
  /** Order items per order_items invocation; the products batch of the same window holds the rest. */
  readonly orderBatchSize: number;
  /** Zipf exponent: product k (1-based) is picked with probability ∝ 1 / k^s. */
  readonly zipfExponent: number;
  /**
   * Share of product updates that set a new stock_quantity (a restock); the rest are price and name edits
   * that carry the row's previous stock_quantity, as a shop's product edit does.
   */
  readonly restockShare: number;
  readonly seed: number;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = {
  orderItems: 5_000,
  productEvents: 250,
  products: 1_000,
  partitions: 4,
  orderBatchSize: 100,
  zipfExponent: 1,
  restockShare: 0.2,
  seed: 20_250_115,
};

/** `npm run bench` in miniature (`--smoke`, and the bench smoke test): the same mix, 216 records. */
export const SMOKE_WORKLOAD: WorkloadOptions = {
  ...DEFAULT_WORKLOAD,
  orderItems: 200,
  productEvents: 16,
  products: 40,
  orderBatchSize: 100,
};

/** The seed's stock of every product, as the snapshot left it. */
export const INITIAL_STOCK = 100_000;

/** One invocation of one of the two event source mappings: records of one topic, its partitions in order. */
export interface WorkloadBatch {
  readonly topic: string;
  readonly records: readonly TestKafkaRecord[];
  readonly event: ReturnType<typeof mskEvent>;
  /** Distinct products the batch touches. */
  readonly distinctProducts: number;
  /**
   * The coalescing limit in write calls: one write per product's run of upserts, one transaction per
   * ENTRIES_PER_TRANSACTION order lines of a product (each line needs its own ledger entry).
   */
  readonly coalescedWrites: number;
}

export interface Workload {
  readonly options: WorkloadOptions;
  /** The table before the stream: every product, as the service would have written it from a snapshot. */
  readonly initialProducts: readonly ProductRow[];
  /** Position of that snapshot (op r, no commit yet): before everything streamed. */
  readonly initialPosition: string;
  /** In the order they are invoked: each window's products batch, then its order_items batch. */
  readonly batches: readonly WorkloadBatch[];
  readonly records: number;
  readonly orderLines: number;
  /**
   * Every product's stock after the stream, applied serially in commit order under STOCK_MODEL=orders
   * (a products change with a new stock_quantity sets it, order lines subtract): what the handler must leave.
   */
  readonly expectedStocks: ReadonlyMap<number, number>;
  /** Products no products change touched: their stock is the seed's less their order lines, in any order. */
  readonly orderOnlyProducts: ReadonlySet<number>;
}

/** Inverse-CDF sampling of a Zipf distribution over 1..n. */
const zipfSampler = (n: number, exponent: number, random: () => number): (() => number) => {
  const cdf: number[] = [];
  let total = 0;
  for (let k = 1; k <= n; k++) {
    total += 1 / k ** exponent;
    cdf.push(total);
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((cdf[middle] as number) < target) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  };
};

const price = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

type StreamEvent =
  | { readonly kind: 'product'; readonly row: ProductRow; readonly at: SourceAt }
  | {
      readonly kind: 'order';
      readonly id: number;
      readonly productId: number;
      readonly quantity: number;
      readonly at: SourceAt;
    };

/** LSN of the snapshot the table was seeded from; the stream starts after it. */
const SNAPSHOT_LSN = 1_000;
const FIRST_LSN = 100_000;
const LSN_STEP = 8;

/**
 * Where the change at `index` of the stream sits: each change is its own transaction, committed just
 * before the next one, so `source.sequence` is `["<previous commit LSN>", "<own LSN>"]` and increases
 * along the stream (the first one follows the snapshot, whose lastCommitLsn is null).
 */
export const sourceAt = (index: number): SourceAt => {
  const lsn = FIRST_LSN + index * LSN_STEP;
  return {
    lsn,
    lastCommit: index === 0 ? null : lsn - LSN_STEP,
    tsMs: BASE_TS_MS + index,
    txId: 10_000 + index,
  };
};

/** Position of the snapshot the table was seeded from (op r, no commit yet): before everything streamed. */
export const SNAPSHOT_POSITION = positionKey(
  {
    lsn: BigInt(SNAPSHOT_LSN),
    sequence: { lastCommitLsn: undefined, lsn: BigInt(SNAPSHOT_LSN) },
    sourceTsMs: BASE_TS_MS - 60_000,
  },
  { snapshot: true, epoch: 0, offset: 0 },
);

/** The source database's commit order: product updates (restocks, price changes) among order items. */
const commitStream = (options: WorkloadOptions, random: () => number): StreamEvent[] => {
  const pickProduct = zipfSampler(options.products, options.zipfExponent, random);
  const total = options.orderItems + options.productEvents;
  let productsLeft = options.productEvents;
  let ordersLeft = options.orderItems;
  const sourceStock = new Map<number, number>();
  const stream: StreamEvent[] = [];
  for (let index = 0; index < total; index++) {
    const at = sourceAt(index);
    if (random() * (productsLeft + ordersLeft) < productsLeft) {
      productsLeft -= 1;
      const id = pickProduct();
      const restock = random() < options.restockShare;
      const stock = restock ? 500 + Math.floor(random() * 1_000) : (sourceStock.get(id) ?? INITIAL_STOCK);
      sourceStock.set(id, stock);
      const row: ProductRow = {
        id,
        name: `Product ${id}`,
        description: random() < 0.5 ? `Edited product ${id}` : null,
        price: price(100 + Math.floor(random() * 100_000)),
        stock_quantity: stock,
      };
      stream.push({ kind: 'product', row, at });
    } else {
      ordersLeft -= 1;
      const id = options.orderItems - ordersLeft;
      stream.push({
        kind: 'order',
        id,
        productId: pickProduct(),
        quantity: 1 + Math.floor(random() * 3),
        at,
      });
    }
  }
  return stream;
};

const batchOf = (topic: string, records: TestKafkaRecord[], productIds: readonly number[]): WorkloadBatch => {
  const event = mskEvent(records);
  const perProduct = new Map<number, number>();
  for (const id of productIds) perProduct.set(id, (perProduct.get(id) ?? 0) + 1);
  const coalescedWrites =
    topic === ORDER_ITEMS_TOPIC
      ? [...perProduct.values()].reduce((sum, lines) => sum + Math.ceil(lines / ENTRIES_PER_TRANSACTION), 0)
      : perProduct.size;
  return { topic, records, event, distinctProducts: perProduct.size, coalescedWrites };
};

/**
 * Pure and deterministic for a seed: the same stream, partitioned the same way (products keyed by id,
 * order items spread over partitions as the producer's key hash would), cut into the same batches.
 */
export const generateWorkload = (options: WorkloadOptions = DEFAULT_WORKLOAD): Workload => {
  const random = seededRandom(options.seed);
  const stream = commitStream(options, random);
  const offsets = new Map<string, number>();
  const nextOffset = (topic: string, partition: number): number => {
    const key = `${topic}-${partition}`;
    const offset = offsets.get(key) ?? 0;
    offsets.set(key, offset + 1);
    return offset;
  };
  const batches: WorkloadBatch[] = [];
  let window = {
    products: [] as TestKafkaRecord[],
    productIds: [] as number[],
    orders: [] as TestKafkaRecord[],
    orderProductIds: [] as number[],
  };
  const flush = (): void => {
    if (window.products.length > 0) batches.push(batchOf(PRODUCTS_TOPIC, window.products, window.productIds));
    if (window.orders.length > 0)
      batches.push(batchOf(ORDER_ITEMS_TOPIC, window.orders, window.orderProductIds));
    window = { products: [], productIds: [], orders: [], orderProductIds: [] };
  };
  for (const event of stream) {
    if (event.kind === 'product') {
      const partition = event.row.id % options.partitions;
      const offset = nextOffset(PRODUCTS_TOPIC, partition);
      window.products.push(
        kafkaRecord(PRODUCTS_TOPIC, partition, offset, productEnvelopeAt('u', event.row, event.at), {
          id: event.row.id,
        }),
      );
      window.productIds.push(event.row.id);
    } else {
      const partition = Math.floor(random() * options.partitions);
      const offset = nextOffset(ORDER_ITEMS_TOPIC, partition);
      const row = {
        id: event.id,
        order_id: 700_000 + event.id,
        product_id: event.productId,
        quantity: event.quantity,
      };
      window.orders.push(
        kafkaRecord(ORDER_ITEMS_TOPIC, partition, offset, orderItemEnvelopeAt('c', row, event.at), {
          id: row.id,
        }),
      );
      window.orderProductIds.push(event.productId);
      if (window.orders.length === options.orderBatchSize) flush();
    }
  }
  flush();
  const initialProducts = Array.from({ length: options.products }, (_, index) => ({
    id: index + 1,
    name: `Product ${index + 1}`,
    description: `Seeded product ${index + 1}`,
    price: '19.99',
    stock_quantity: INITIAL_STOCK,
  }));
  return {
    options,
    initialProducts,
    initialPosition: SNAPSHOT_POSITION,
    batches,
    records: stream.length,
    orderLines: options.orderItems,
    ...serialStocks(stream, options.products),
  };
};

/**
 * The stream applied one change at a time in commit order under STOCK_MODEL=orders, independently of the
 * handler's code: a products change whose stock_quantity differs from the previous version's sets the
 * stock, one that carries the same value (a price or name edit) leaves it; order lines subtract.
 */
const serialStocks = (
  stream: readonly StreamEvent[],
  products: number,
): Pick<Workload, 'expectedStocks' | 'orderOnlyProducts'> => {
  const stocks = new Map<number, number>();
  const sourceStock = new Map<number, number>();
  const orderOnly = new Set<number>();
  for (let id = 1; id <= products; id++) {
    stocks.set(id, INITIAL_STOCK);
    sourceStock.set(id, INITIAL_STOCK);
    orderOnly.add(id);
  }
  for (const event of stream) {
    if (event.kind === 'order') {
      stocks.set(event.productId, (stocks.get(event.productId) as number) - event.quantity);
      continue;
    }
    orderOnly.delete(event.row.id);
    if (event.row.stock_quantity !== sourceStock.get(event.row.id))
      stocks.set(event.row.id, event.row.stock_quantity);
    sourceStock.set(event.row.id, event.row.stock_quantity);
  }
  return { expectedStocks: stocks, orderOnlyProducts: orderOnly };
};
