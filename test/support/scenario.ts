import fc from 'fast-check';
import { deadLetterKey } from '../../lambda/store/dead-letter.js';
import {
  kafkaRecord,
  ORDER_ITEMS_TOPIC,
  orderItemEnvelope,
  PRODUCTS_TOPIC,
  productEnvelope,
  type TestKafkaRecord,
} from './debezium.js';
import type { ModelChange } from './inventory-model.js';

/** One record in a topic-partition log, with what the model should do when it is first applied. */
export interface LogEntry {
  readonly record: TestKafkaRecord;
  readonly change: ModelChange | undefined;
}

export type Logs = Map<string, LogEntry[]>;

interface ProductVersion {
  readonly name: string;
  readonly description: string | null | 'TOAST';
  readonly priceCents: number;
  readonly stock: number;
}

interface ProductStory {
  readonly id: number;
  readonly snapshot: boolean;
  readonly versions: readonly ProductVersion[];
  readonly deleted: boolean;
}

interface OrderSpec {
  readonly productId: number;
  readonly quantity: number;
  readonly partition: number;
}

interface PoisonSpec {
  readonly topic: 'products' | 'orders';
  readonly partition: number;
  readonly kind: 'INVALID_JSON' | 'EMPTY_VALUE' | 'INVALID_QUANTITY' | 'UNKNOWN_OP';
  readonly at: number;
}

export interface ScenarioSpec {
  readonly products: readonly ProductStory[];
  readonly orders: readonly OrderSpec[];
  readonly poison: readonly PoisonSpec[];
  readonly interleave: readonly number[];
  readonly reemitLast: number;
}

/** Product ids 1..PRODUCT_IDS may exist; UNKNOWN_PRODUCT_ID never does. */
const PRODUCT_IDS = 6;
export const UNKNOWN_PRODUCT_ID = 99;
const PRODUCT_PARTITIONS = 2;
const ORDER_PARTITIONS = 3;

const versionArb: fc.Arbitrary<ProductVersion> = fc.record({
  name: fc.constantFrom('Laptop', 'Mouse', 'Hub', 'Keyboard', 'Monitor'),
  description: fc.constantFrom<ProductVersion['description']>('fast', 'quiet', null, 'TOAST'),
  priceCents: fc.integer({ min: 1, max: 500_000 }),
  stock: fc.integer({ min: 0, max: 80 }),
});

export const scenarioArb = (
  options: { minOrders?: number; maxOrders?: number; hotProducts?: boolean; maxVersions?: number } = {},
): fc.Arbitrary<ScenarioSpec> =>
  fc
    .record({
      products: fc.uniqueArray(
        fc.record({
          id: fc.integer({ min: 1, max: PRODUCT_IDS }),
          snapshot: fc.boolean(),
          versions: fc.array(versionArb, { minLength: 1, maxLength: options.maxVersions ?? 4 }),
          deleted: fc.integer({ min: 0, max: 3 }).map((roll) => roll === 0),
        }),
        { selector: (story) => story.id, maxLength: PRODUCT_IDS },
      ),
      orders: fc.array(
        fc.record({
          productId: options.hotProducts
            ? fc.oneof(
                { weight: 4, arbitrary: fc.constant(1) },
                { weight: 1, arbitrary: fc.integer({ min: 1, max: PRODUCT_IDS }) },
              )
            : fc.oneof(fc.integer({ min: 1, max: PRODUCT_IDS }), fc.constant(UNKNOWN_PRODUCT_ID)),
          quantity: fc.integer({ min: 1, max: 5 }),
          partition: fc.integer({ min: 0, max: ORDER_PARTITIONS - 1 }),
        }),
        { minLength: options.minOrders ?? 0, maxLength: options.maxOrders ?? 25 },
      ),
      poison: fc.array(
        fc.record({
          topic: fc.constantFrom('products' as const, 'orders' as const),
          partition: fc.integer({ min: 0, max: 1 }),
          kind: fc.constantFrom(
            'INVALID_JSON' as const,
            'EMPTY_VALUE' as const,
            'INVALID_QUANTITY' as const,
            'UNKNOWN_OP' as const,
          ),
          at: fc.nat(),
        }),
        { maxLength: 3 },
      ),
      interleave: fc.array(fc.nat(), { maxLength: 40 }),
      reemitLast: fc.integer({ min: 0, max: 4 }),
    })
    .map((spec) => {
      // Ids are SERIAL: a deleted product is never re-created and never ordered again, so orders only
      // reference products that stay (or never existed).
      const deletedIds = new Set(spec.products.filter((story) => story.deleted).map((story) => story.id));
      return { ...spec, orders: spec.orders.filter((order) => !deletedIds.has(order.productId)) };
    });

const price = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

interface ProductEvent {
  readonly story: ProductStory;
  readonly op: 'c' | 'u' | 'd' | 'r';
  readonly version: ProductVersion;
}

/** All product events, each product's in order, products interleaved as `interleave` says. */
const interleavedProductEvents = (spec: ScenarioSpec): ProductEvent[] => {
  const queues = spec.products.map((story) => {
    const events: ProductEvent[] = story.versions.map((version, index) => ({
      story,
      op: index === 0 ? (story.snapshot ? 'r' : 'c') : 'u',
      version,
    }));
    if (story.deleted) events.push({ story, op: 'd', version: story.versions.at(-1) as ProductVersion });
    return events;
  });
  const events: ProductEvent[] = [];
  let turn = 0;
  while (queues.some((queue) => queue.length > 0)) {
    const open = queues.filter((queue) => queue.length > 0);
    const queue = open[(spec.interleave[turn++ % Math.max(1, spec.interleave.length)] ?? 0) % open.length];
    events.push(queue?.shift() as ProductEvent);
  }
  return events;
};

const append = (
  logs: Logs,
  topic: string,
  partition: number,
  value: unknown,
  change: ModelChange | undefined,
  key?: unknown,
): void => {
  const mapKey = `${topic}-${partition}`;
  const log = logs.get(mapKey) ?? [];
  logs.set(mapKey, log);
  const record = kafkaRecord(topic, partition, log.length, value, key);
  log.push({
    record,
    change:
      change?.kind === 'decrement' || change?.kind === 'poison'
        ? { ...change, deadLetterKey: deadLetterKey(record) }
        : change,
  });
};

const productChange = (event: ProductEvent, lsn: number): ModelChange => {
  const { story, op, version } = event;
  if (op === 'd') return { kind: 'delete', id: story.id, position: lsn };
  return {
    kind: 'upsert',
    id: story.id,
    name: version.name,
    description: version.description === 'TOAST' ? undefined : version.description,
    price: price(version.priceCents),
    stock: version.stock,
    position: lsn,
  };
};

const poisonValue = (kind: PoisonSpec['kind'], topic: 'products' | 'orders'): string => {
  if (kind === 'INVALID_JSON') return '{"op": "c", "after": ';
  if (kind === 'EMPTY_VALUE') return '';
  if (kind === 'UNKNOWN_OP') return JSON.stringify({ op: 'x', before: null, after: { id: 1 }, source: {} });
  return topic === 'orders'
    ? JSON.stringify(orderItemEnvelope('c', { id: 1, order_id: 1, product_id: 1, quantity: 0 }, 1))
    : JSON.stringify({ op: 'c', before: null, after: { id: 1, stock_quantity: 1.5 }, source: { lsn: 1 } });
};

const poisonCode = (kind: PoisonSpec['kind'], topic: 'products' | 'orders'): string =>
  kind === 'INVALID_QUANTITY' && topic === 'products' ? 'INVALID_FIELD' : kind;

/** Builds every topic-partition log of a scenario, with the model change each record stands for. */
export const buildLogs = (spec: ScenarioSpec): Logs => {
  const logs: Logs = new Map();
  const events = interleavedProductEvents(spec);
  const poisonAt = (topic: 'products' | 'orders', index: number, total: number) =>
    spec.poison.filter((poison) => poison.topic === topic && poison.at % Math.max(1, total) === index);
  events.forEach((event, index) => {
    for (const poison of poisonAt('products', index, events.length)) {
      const topic = PRODUCTS_TOPIC;
      append(logs, topic, poison.partition, poisonValue(poison.kind, 'products'), {
        kind: 'poison',
        deadLetterKey: '',
        code: poisonCode(poison.kind, 'products'),
      });
    }
    const lsn = 10_000 + index * 10;
    const partition = event.story.id % PRODUCT_PARTITIONS;
    const { version } = event;
    const row = {
      id: event.story.id,
      name: version.name,
      description: version.description === 'TOAST' ? '__debezium_unavailable_value' : version.description,
      price: price(version.priceCents),
      stock_quantity: version.stock,
    };
    append(logs, PRODUCTS_TOPIC, partition, productEnvelope(event.op, row, lsn), productChange(event, lsn), {
      id: row.id,
    });
    if (event.op === 'd') append(logs, PRODUCTS_TOPIC, partition, null, undefined, { id: row.id });
  });
  // A connector restart re-emits the tail of a partition with the same LSNs at new offsets.
  for (const [mapKey, log] of logs) {
    if (!mapKey.startsWith(PRODUCTS_TOPIC)) continue;
    for (const entry of log.slice(Math.max(0, log.length - spec.reemitLast))) {
      const value =
        entry.record.value === null ? null : Buffer.from(entry.record.value, 'base64').toString('utf8');
      const key =
        entry.record.key === undefined
          ? undefined
          : JSON.parse(Buffer.from(entry.record.key, 'base64').toString('utf8'));
      append(
        logs,
        PRODUCTS_TOPIC,
        entry.record.partition,
        value,
        entry.change?.kind === 'poison' ? entry.change : entry.change,
        key,
      );
    }
  }
  spec.orders.forEach((order, index) => {
    for (const poison of poisonAt('orders', index, spec.orders.length)) {
      append(logs, ORDER_ITEMS_TOPIC, poison.partition, poisonValue(poison.kind, 'orders'), {
        kind: 'poison',
        deadLetterKey: '',
        code: poisonCode(poison.kind, 'orders'),
      });
    }
    const row = {
      id: index + 1,
      order_id: 5000 + index,
      product_id: order.productId,
      quantity: order.quantity,
    };
    append(
      logs,
      ORDER_ITEMS_TOPIC,
      order.partition,
      orderItemEnvelope('c', row, 90_000 + index),
      { kind: 'decrement', productId: order.productId, quantity: order.quantity, deadLetterKey: '' },
      { id: row.id },
    );
  });
  return logs;
};
