import fc from 'fast-check';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { deadLetterKey } from '../../lambda/store/dead-letter.js';
import {
  BASE_TS_MS,
  kafkaRecord,
  ORDER_ITEMS_TOPIC,
  orderItemEnvelopeAt,
  PRODUCTS_TOPIC,
  productEnvelopeAt,
  type SourceAt,
  type TestKafkaRecord,
} from './debezium.js';

/**
 * A shop's history as Postgres commits it, and the topics Debezium's Postgres connector writes from it:
 * an initial snapshot (every row at the slot's consistent point, `sequence` `[null, X]`), then the streamed
 * transactions in commit order, each change with `sequence` `[<previous commit LSN>, <change LSN>]` (null
 * before the first commit the connector sees, as SourceInfo.sequence() leaves it). Some transactions are
 * long: they begin before earlier ones commit, so their change LSNs are lower than their predecessors'.
 * The serial reference applies the same commits in commit order under the stock model: what the table
 * must equal.
 */

export type ShopAction =
  | { readonly kind: 'create'; readonly id: number; readonly stock: number; readonly cents: number }
  | { readonly kind: 'price'; readonly id: number; readonly cents: number }
  | { readonly kind: 'describe'; readonly id: number; readonly description: string | null }
  /** A stock-take (orders, products) or a receipt of `value` more units (ledger). */
  | { readonly kind: 'count'; readonly id: number; readonly value: number }
  | { readonly kind: 'order'; readonly id: number; readonly lines: readonly number[] }
  /** An order line of the product changes quantity (REPLICA IDENTITY FULL: the event has the old row). */
  | { readonly kind: 'edit'; readonly id: number; readonly line: number; readonly quantity: number }
  /** An order line of the product is removed (REPLICA IDENTITY FULL). */
  | { readonly kind: 'cancel'; readonly id: number; readonly line: number }
  /** `UPDATE products SET id = to WHERE id = id` (only for a product no order line references: the FK). */
  | { readonly kind: 'rekey'; readonly id: number; readonly to: number }
  | { readonly kind: 'delete'; readonly id: number };

export interface ShopSpec {
  readonly model: StockModel;
  /** Actions as attempted; the history keeps those valid where they fall (no order of a deleted product). */
  readonly actions: readonly ShopAction[];
  /** Transactions committed before the snapshot point; the rest are streamed. */
  readonly snapshotAfter: number;
  /** Indexes (mod streamed count) of transactions that began before earlier ones committed. */
  readonly longTransactions: readonly number[];
  /** A connector restart re-sends this many of the last streamed transactions at new offsets. */
  readonly reemitLast: number;
  /** An order_items partition whose offsets start again from 0 this many records in (0: none). */
  readonly offsetResetAfter: number;
  /** Poison records put into products partition 0, by position in its log. */
  readonly poison: readonly { readonly at: number; readonly kind: PoisonKind }[];
}

export type PoisonKind = 'INVALID_JSON' | 'EMPTY_VALUE' | 'UNKNOWN_OP';

export const PRODUCT_PARTITIONS = 2;
export const ORDER_PARTITIONS = 4;
const PRODUCT_IDS = 5;

export interface ExpectedItem {
  readonly product_id: number;
  readonly name: string;
  readonly price: string;
  readonly stock_quantity: number;
  readonly description?: string;
}

interface Row {
  name: string;
  description: string | null;
  cents: number;
  stock: number;
}

/** One row change of a committed transaction. */
interface Change {
  readonly table: 'products' | 'order_items';
  readonly op: 'c' | 'u' | 'd' | 'r';
  readonly id: number;
  readonly value: Record<string, unknown>;
  /** The TOAST placeholder for an unchanged description. */
  readonly toasted?: boolean;
  /** An order line's old row, sent with REPLICA IDENTITY FULL on its update or delete. */
  readonly before?: Record<string, unknown>;
  /** Record headers, as text (a key change's `__debezium.oldkey` / `__debezium.newkey`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The create half of a key change: the row's id before it (its TOASTed description comes from there). */
  readonly oldId?: number;
  /** Written at the position of the change before it (the two halves of a key change). */
  readonly samePosition?: true;
}

export interface ShopLogs {
  /** `topic-partition` → records in offset order. */
  readonly logs: Map<string, TestKafkaRecord[]>;
  readonly expected: ExpectedItem[];
  /** Dead-letter key → error code of every poison record. */
  readonly poison: Map<string, string>;
  readonly stats: { transactions: number; changes: number; reemitted: number };
}

const price = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
const NAMES = ['Laptop', 'Mouse', 'Hub', 'Keyboard', 'Monitor'] as const;

const actionArb: fc.Arbitrary<ShopAction> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      id: fc.integer({ min: 1, max: PRODUCT_IDS }),
      stock: fc.integer({ min: 0, max: 60 }),
      cents: fc.integer({ min: 1, max: 500_000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('price' as const),
      id: fc.integer({ min: 1, max: PRODUCT_IDS }),
      cents: fc.integer({ min: 1, max: 500_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('describe' as const),
      id: fc.integer({ min: 1, max: PRODUCT_IDS }),
      description: fc.constantFrom('fast', 'quiet', null),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('count' as const),
      id: fc.integer({ min: 1, max: PRODUCT_IDS }),
      value: fc.integer({ min: 0, max: 80 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      id: fc.integer({ min: 1, max: PRODUCT_IDS }),
      lines: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      id: fc.integer({ min: 1, max: PRODUCT_IDS }),
      line: fc.nat({ max: 9 }),
      quantity: fc.integer({ min: 1, max: 7 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('rekey' as const),
      id: fc.integer({ min: 1, max: PRODUCT_IDS }),
      to: fc.integer({ min: 1, max: PRODUCT_IDS + 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('cancel' as const),
      id: fc.integer({ min: 1, max: PRODUCT_IDS }),
      line: fc.nat({ max: 9 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      id: fc.integer({ min: 1, max: PRODUCT_IDS }),
    }),
  },
);

export const shopSpecArb = (
  options: { models?: readonly StockModel[]; maxActions?: number } = {},
): fc.Arbitrary<ShopSpec> =>
  fc.record({
    model: fc.constantFrom(...(options.models ?? (['orders', 'products', 'ledger'] as const))),
    actions: fc.array(actionArb, { minLength: 1, maxLength: options.maxActions ?? 30 }),
    snapshotAfter: fc.integer({ min: 0, max: 8 }),
    longTransactions: fc.array(fc.nat(), { maxLength: 4 }),
    reemitLast: fc.integer({ min: 0, max: 5 }),
    offsetResetAfter: fc.integer({ min: 0, max: 6 }),
    poison: fc.array(
      fc.record({
        at: fc.nat({ max: 40 }),
        kind: fc.constantFrom<PoisonKind>('INVALID_JSON', 'EMPTY_VALUE', 'UNKNOWN_OP'),
      }),
      { maxLength: 2 },
    ),
  });

/** The serial application of commits under the stock model: the contract's definition of the table. */
class SerialReference {
  readonly rows = new Map<number, Row>();
  readonly stock = new Map<number, number>();
  /** Rows as they were when removed: a key change's create takes its unchanged description from there. */
  readonly removed = new Map<number, Row>();

  constructor(private readonly model: StockModel) {}

  setRow(id: number, row: Row, created: boolean): void {
    const previous = this.rows.get(id);
    this.rows.set(id, row);
    const current = this.stock.get(id) ?? 0;
    if (created || previous === undefined) {
      this.stock.set(id, row.stock);
      return;
    }
    if (this.model === 'products') this.stock.set(id, row.stock);
    else if (this.model === 'orders') {
      if (row.stock !== previous.stock) this.stock.set(id, row.stock);
    } else this.stock.set(id, current + row.stock - previous.stock);
  }

  orderLine(id: number, quantity: number): void {
    if (this.model === 'products') return;
    this.stock.set(id, (this.stock.get(id) ?? 0) - quantity);
  }

  remove(id: number): void {
    const row = this.rows.get(id);
    if (row !== undefined) this.removed.set(id, row);
    this.rows.delete(id);
    this.stock.delete(id);
  }

  /** One committed row change, as the contract defines its effect. */
  apply(change: Change): void {
    if (change.table === 'order_items') {
      const counts = change.op === 'c' || (change.op === 'r' && this.model === 'ledger');
      if (counts) this.orderLine(Number(change.value.product_id), Number(change.value.quantity));
      // Lines that exist count with their quantity as last committed (known here from the old row).
      if (change.op === 'u' && change.before !== undefined) {
        this.orderLine(
          Number(change.value.product_id),
          Number(change.value.quantity) - Number(change.before.quantity),
        );
      }
      if (change.op === 'd' && change.before !== undefined) {
        this.orderLine(Number(change.before.product_id), -Number(change.before.quantity));
      }
      return;
    }
    if (change.op === 'd') {
      this.remove(change.id);
      return;
    }
    const value = change.value as ReturnType<typeof productValue>;
    const toastedFrom =
      change.oldId === undefined ? this.rows.get(change.id) : this.removed.get(change.oldId);
    const description = change.toasted ? (toastedFrom?.description ?? null) : value.description;
    const row = {
      name: value.name,
      description,
      cents: Math.round(Number(value.price) * 100),
      stock: value.stock_quantity,
    };
    this.setRow(change.id, row, change.op === 'c' || change.op === 'r');
  }

  expected(): ExpectedItem[] {
    return [...this.rows]
      .sort(([a], [b]) => a - b)
      .map(([id, row]) => ({
        product_id: id,
        name: row.name,
        price: price(row.cents),
        stock_quantity: this.stock.get(id) ?? 0,
        ...(row.description === null ? {} : { description: row.description }),
      }));
  }
}

const productValue = (id: number, row: Row) => ({
  id,
  name: row.name,
  description: row.description,
  price: price(row.cents),
  stock_quantity: row.stock,
});

/** Turns attempted actions into valid transactions and applies them to the reference as they commit. */
const commitActions = (spec: ShopSpec, onCommit: (changes: Change[]) => void) => {
  const reference = new SerialReference(spec.model);
  const rows = reference.rows;
  const linesOf = new Map<number, Change[]>();
  let nextLine = 1;
  for (const attempted of spec.actions) {
    const row = rows.get(attempted.id);
    // Every attempted action becomes a valid transaction: on a product that is not there it creates it,
    // and a create of a product that is there becomes an order, so that histories stay long.
    const action: ShopAction =
      row === undefined && attempted.kind !== 'create'
        ? { kind: 'create', id: attempted.id, stock: 40, cents: 1_000 + attempted.id }
        : row !== undefined && attempted.kind === 'create'
          ? { kind: 'order', id: attempted.id, lines: [1 + (attempted.stock % 4)] }
          : attempted;
    const changes: Change[] = [];
    if (action.kind === 'create') {
      const created: Row = {
        name: NAMES[action.id % NAMES.length] as string,
        description: 'new',
        cents: action.cents,
        stock: action.stock,
      };
      reference.setRow(action.id, created, true);
      changes.push({ table: 'products', op: 'c', id: action.id, value: productValue(action.id, created) });
    } else if (row === undefined) {
      continue;
    } else if (action.kind === 'price' || action.kind === 'describe' || action.kind === 'count') {
      const next: Row = {
        ...row,
        ...(action.kind === 'price' ? { cents: action.cents } : {}),
        ...(action.kind === 'describe' ? { description: action.description } : {}),
        ...(action.kind === 'count'
          ? { stock: spec.model === 'ledger' ? row.stock + action.value : action.value }
          : {}),
      };
      reference.setRow(action.id, next, false);
      // An update that does not touch the TOASTed description sends the placeholder for it.
      const toasted = action.kind !== 'describe' && next.description !== null;
      const value = productValue(action.id, next);
      changes.push({
        table: 'products',
        op: 'u',
        id: action.id,
        value: toasted ? { ...value, description: '__debezium_unavailable_value' } : value,
        toasted,
      });
    } else if (action.kind === 'rekey') {
      if (action.to === action.id || rows.has(action.to) || (linesOf.get(action.id) ?? []).length > 0)
        continue;
      reference.remove(action.id);
      reference.setRow(action.to, row, true);
      const key = (id: number) => JSON.stringify({ id });
      changes.push({
        table: 'products',
        op: 'd',
        id: action.id,
        value: { id: action.id },
        headers: { '__debezium.newkey': key(action.to) },
      });
      // An UPDATE that leaves the TOASTed description unchanged: the create carries the placeholder for it.
      const value = productValue(action.to, row);
      const toasted = row.description !== null;
      changes.push({
        table: 'products',
        op: 'c',
        id: action.to,
        value: toasted ? { ...value, description: '__debezium_unavailable_value' } : value,
        ...(toasted ? { toasted } : {}),
        oldId: action.id,
        headers: { '__debezium.oldkey': key(action.id) },
        samePosition: true,
      });
    } else if (action.kind === 'edit' || action.kind === 'cancel') {
      const lines = linesOf.get(action.id) ?? [];
      const line = lines[action.line % Math.max(1, lines.length)];
      if (line === undefined) continue;
      const old = Number(line.value.quantity);
      const quantity = action.kind === 'edit' ? action.quantity : 0;
      if (action.kind === 'edit') {
        if (quantity === old) continue;
        const edited: Change = { ...line, op: 'u', value: { ...line.value, quantity }, before: line.value };
        changes.push(edited);
        // The line as it now stands (no old row: it is what a later removal of it carries as its old row).
        const current: Change = { table: 'order_items', op: 'c', id: line.id, value: edited.value };
        linesOf.set(
          action.id,
          lines.map((each) => (each === line ? current : each)),
        );
      } else {
        changes.push({ ...line, op: 'd', value: line.value, before: line.value });
        linesOf.set(
          action.id,
          lines.filter((each) => each !== line),
        );
      }
      if (spec.model === 'products') {
        // The shop's transaction also moves products.stock_quantity by the difference.
        const next = { ...row, stock: row.stock - (quantity - old) };
        reference.setRow(action.id, next, false);
        changes.push({ table: 'products', op: 'u', id: action.id, value: productValue(action.id, next) });
      }
    } else if (action.kind === 'order') {
      let stock = row.stock;
      for (const quantity of action.lines) {
        const id = nextLine++;
        reference.orderLine(action.id, quantity);
        const line: Change = {
          table: 'order_items',
          op: 'c',
          id,
          value: { id, order_id: 7000 + id, product_id: action.id, quantity },
        };
        changes.push(line);
        linesOf.set(action.id, [...(linesOf.get(action.id) ?? []), line]);
        stock -= quantity;
      }
      if (spec.model === 'products') {
        // The shop's order transaction also lowers products.stock_quantity.
        const next = { ...row, stock };
        reference.setRow(action.id, next, false);
        changes.push({ table: 'products', op: 'u', id: action.id, value: productValue(action.id, next) });
      }
    } else {
      // The foreign key: a product's order lines go before it does.
      for (const line of linesOf.get(action.id) ?? []) changes.push({ ...line, op: 'd' });
      linesOf.delete(action.id);
      reference.remove(action.id);
      changes.push({ table: 'products', op: 'd', id: action.id, value: { id: action.id } });
    }
    onCommit(changes);
  }
};

const envelopeOf = (change: Change, at: SourceAt) => {
  if (change.table === 'order_items' && change.before !== undefined) {
    const line = orderItemEnvelopeAt(
      change.op,
      change.value as unknown as Parameters<typeof orderItemEnvelopeAt>[1],
      at,
    );
    const before = { ...change.before, unit_price: '10.00', created_at: line.after.created_at };
    return { ...line, before, after: change.op === 'd' ? null : line.after };
  }
  if (change.table === 'order_items') {
    return orderItemEnvelopeAt(
      change.op,
      change.value as unknown as Parameters<typeof orderItemEnvelopeAt>[1],
      at,
    );
  }
  const row =
    change.op === 'd'
      ? { id: change.id, name: '', description: null, price: '0.00', stock_quantity: 0 }
      : (change.value as unknown as Parameters<typeof productEnvelopeAt>[1]);
  return productEnvelopeAt(change.op, row, at);
};

const POISON_VALUE: Record<PoisonKind, string> = {
  INVALID_JSON: '{"op": "c", "after": ',
  EMPTY_VALUE: '',
  UNKNOWN_OP: JSON.stringify({ op: 'x', before: null, after: { id: 1 }, source: {} }),
};

/** Builds the topics of one history and what the table must end as. */
/** Each transaction's changes take LSNs from its own range; its COMMIT is near the range's end. */
const LSNS_PER_TURN = 1_000;

const productsTouched = (changes: readonly Change[]): Set<number> =>
  new Set(
    changes.map((change) => (change.table === 'products' ? change.id : Number(change.value.product_id))),
  );

/**
 * A transaction that began before the two before it committed (its changes fall between theirs) is only
 * possible in Postgres if it touches none of their products: their row locks, and the foreign key check of
 * an order line, would have made one wait for the other.
 */
const canBeLong = (transactions: readonly Change[][], turn: number): boolean => {
  if (turn < 2) return false;
  const mine = productsTouched(transactions[turn] ?? []);
  return [turn - 1, turn - 2].every((other) =>
    [...productsTouched(transactions[other] ?? [])].every((id) => !mine.has(id)),
  );
};

export const buildShopLogs = (spec: ShopSpec): ShopLogs => {
  const transactions: Change[][] = [];
  commitActions(spec, (changes) => transactions.push(changes));

  // The rows at the snapshot point: what the initial snapshot reads.
  const atSnapshot = new SerialReference(spec.model);
  const liveLines = new Map<number, Change>();
  for (const changes of transactions.slice(0, spec.snapshotAfter)) {
    for (const change of changes) {
      if (change.table === 'products') atSnapshot.apply(change);
      else if (change.op === 'd') liveLines.delete(change.id);
      else liveLines.set(change.id, change);
    }
  }
  const snapshotChanges: Change[] = [
    ...[...atSnapshot.rows].map(
      ([id, row]): Change => ({ table: 'products', op: 'r', id, value: productValue(id, row) }),
    ),
    ...[...liveLines.values()].map(({ before: _, ...line }): Change => ({ ...line, op: 'r' })),
  ];
  const streamed = transactions.slice(spec.snapshotAfter);
  // What the table must equal: the snapshot as the starting state, then every streamed commit in order.
  const reference = new SerialReference(spec.model);
  for (const change of snapshotChanges) reference.apply(change);
  for (const changes of streamed) for (const change of changes) reference.apply(change);

  const logs = new Map<string, TestKafkaRecord[]>();
  const offsetBase = new Map<string, number>();
  const append = (topic: string, partition: number, value: unknown, key: unknown): TestKafkaRecord => {
    const mapKey = `${topic}-${partition}`;
    const log = logs.get(mapKey) ?? [];
    logs.set(mapKey, log);
    // The topic was re-created (or the cluster moved) while the connector ran: offsets start again.
    const resetAt = spec.offsetResetAfter;
    const reset = topic === ORDER_ITEMS_TOPIC && partition === 1 && resetAt > 0 && log.length >= resetAt;
    if (reset && !offsetBase.has(mapKey)) offsetBase.set(mapKey, log.length);
    const offset = log.length - (reset ? (offsetBase.get(mapKey) ?? 0) : 0);
    const record = kafkaRecord(topic, partition, offset, value, key);
    log.push(record);
    return record;
  };
  const poison = new Map<string, string>();
  const appendChange = (change: Change, at: SourceAt): void => {
    const isProducts = change.table === 'products';
    const topic = isProducts ? PRODUCTS_TOPIC : ORDER_ITEMS_TOPIC;
    const partition = isProducts ? change.id % PRODUCT_PARTITIONS : change.id % ORDER_PARTITIONS;
    if (isProducts && partition === 0) {
      const length = logs.get(`${topic}-0`)?.length ?? 0;
      for (const { at: index, kind } of spec.poison) {
        if (index === length)
          poison.set(deadLetterKey(append(topic, 0, POISON_VALUE[kind], { id: 0 })), kind);
      }
    }
    const record = append(topic, partition, envelopeOf(change, at), { id: change.id });
    if (change.headers !== undefined) {
      const headers = Object.entries(change.headers).map(([name, text]) => ({
        [name]: [...Buffer.from(text)],
      }));
      (record as { headers: unknown }).headers = headers;
    }
    if (change.op === 'd') append(topic, partition, null, { id: change.id });
  };

  // The initial snapshot: every live row at the slot's consistent point, one position for all.
  const snapshotLsn = 10_000 + spec.snapshotAfter * LSNS_PER_TURN - 5;
  const snapshotAt: SourceAt = { lastCommit: null, lsn: snapshotLsn, tsMs: BASE_TS_MS, txId: 1 };
  for (const change of snapshotChanges) appendChange(change, snapshotAt);

  // The stream: transactions in commit order; a long one's changes have LSNs below its predecessors'.
  const long = new Set(
    spec.longTransactions
      .map((index) => spec.snapshotAfter + (index % Math.max(1, streamed.length)))
      .filter((turn) => canBeLong(transactions, turn)),
  );
  const positioned: Array<{ change: Change; at: SourceAt }> = [];
  let lastCommit: number | null = null;
  streamed.forEach((changes, index) => {
    const turn = spec.snapshotAfter + index;
    const base = 10_000 + (long.has(turn) ? (turn - 2) * LSNS_PER_TURN + 500 : turn * LSNS_PER_TURN);
    changes.forEach((change, j) => {
      const lsn = change.samePosition === true ? base + j - 1 : base + j;
      const at = { lastCommit, lsn, tsMs: BASE_TS_MS + turn, txId: 100 + turn };
      positioned.push({ change, at });
      appendChange(change, at);
    });
    lastCommit = 10_000 + turn * LSNS_PER_TURN + 990;
  });
  // A connector restart: the last transactions again, with their positions, at new offsets.
  const kept = streamed.slice(0, Math.max(0, streamed.length - spec.reemitLast));
  const reemitted = positioned.slice(kept.reduce((n, changes) => n + changes.length, 0));
  for (const { change, at } of reemitted) appendChange(change, at);
  return {
    logs,
    expected: reference.expected(),
    poison,
    stats: {
      transactions: transactions.length,
      changes: transactions.reduce((n, changes) => n + changes.length, 0),
      reemitted: reemitted.length,
    },
  };
};
