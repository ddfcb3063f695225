import { positionKey } from '../lambda/inventory/position.js';
import {
  kafkaRecord,
  mskEvent,
  ORDER_ITEMS_TOPIC,
  orderItemEnvelope,
  PRODUCTS_TOPIC,
  type ProductRow,
  productEnvelope,
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
  readonly seed: number;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = {
  orderItems: 10_000,
  productEvents: 500,
  products: 1_000,
  partitions: 4,
  orderBatchSize: 2_500,
  zipfExponent: 1,
  seed: 20_250_115,
};

/** One invocation of one of the two event source mappings: records of one topic, its partitions in order. */
export interface WorkloadBatch {
  readonly topic: string;
  readonly records: readonly TestKafkaRecord[];
  readonly event: ReturnType<typeof mskEvent>;
  /** Distinct products the batch touches: the least number of writes that can apply it. */
  readonly distinctProducts: number;
  /** Distinct (product, partition) pairs: the floor when each partition's run is written on its own. */
  readonly distinctProductPartitions: number;
}

export interface Workload {
  readonly options: WorkloadOptions;
  /** The table before the stream: every product, as the service would have written it from a snapshot. */
  readonly initialProducts: readonly ProductRow[];
  readonly initialPosition: string;
  /** In the order they are invoked: each window's products batch, then its order_items batch. */
  readonly batches: readonly WorkloadBatch[];
  readonly records: number;
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
  | { readonly kind: 'product'; readonly row: ProductRow; readonly lsn: number }
  | {
      readonly kind: 'order';
      readonly id: number;
      readonly productId: number;
      readonly quantity: number;
      readonly lsn: number;
    };

/** The source database's commit order: product updates (restocks, price changes) among order items. */
const commitStream = (options: WorkloadOptions, random: () => number): StreamEvent[] => {
  const pickProduct = zipfSampler(options.products, options.zipfExponent, random);
  const total = options.orderItems + options.productEvents;
  let productsLeft = options.productEvents;
  let ordersLeft = options.orderItems;
  const stream: StreamEvent[] = [];
  for (let index = 0; index < total; index++) {
    const lsn = 100_000 + index * 8;
    if (random() * (productsLeft + ordersLeft) < productsLeft) {
      productsLeft -= 1;
      const id = pickProduct();
      const row: ProductRow = {
        id,
        name: `Product ${id}`,
        description: random() < 0.5 ? `Restocked product ${id}` : null,
        price: price(100 + Math.floor(random() * 100_000)),
        stock_quantity: 500 + Math.floor(random() * 1_000),
      };
      stream.push({ kind: 'product', row, lsn });
    } else {
      ordersLeft -= 1;
      const id = options.orderItems - ordersLeft;
      stream.push({
        kind: 'order',
        id,
        productId: pickProduct(),
        quantity: 1 + Math.floor(random() * 3),
        lsn,
      });
    }
  }
  return stream;
};

const batchOf = (topic: string, records: TestKafkaRecord[], productIds: readonly number[]): WorkloadBatch => {
  const event = mskEvent(records);
  const pairs = new Set(records.map((record, index) => `${productIds[index]}:${record.partition}`));
  return {
    topic,
    records,
    event,
    distinctProducts: new Set(productIds).size,
    distinctProductPartitions: pairs.size,
  };
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
        kafkaRecord(PRODUCTS_TOPIC, partition, offset, productEnvelope('u', event.row, event.lsn), {
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
        kafkaRecord(ORDER_ITEMS_TOPIC, partition, offset, orderItemEnvelope('c', row, event.lsn), {
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
    stock_quantity: 100_000,
  }));
  return {
    options,
    initialProducts,
    initialPosition: positionKey({ lsn: 1_000, sourceTsMs: 1_736_900_000_000 }, 0),
    batches,
    records: stream.length,
  };
};
