import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import type { ReplaySummary } from '../../scripts/replay/report.js';
import {
  BASE_TS_MS,
  mskEvent,
  type OrderItemRow,
  orderItemRecordAt,
  productRecordAt,
  type TestKafkaRecord,
} from '../support/debezium.js';
import {
  ledgerOrderLines,
  olderVersionLetter,
  putLetters,
  putReplayedLettersBack,
  replay,
} from '../support/replay-harness.js';

const SOAK_FACTOR = Number(process.env.SOAK_FACTOR ?? 1);
const NUM_RUNS = Math.max(1, Math.round((Number(process.env.PROPERTY_RUNS ?? 200) / 4) * SOAK_FACTOR));
/** Products 1–3 are created (at LSN 100 + id, stock 100); product 9 never is. */
const PRODUCTS = [1, 2, 3] as const;
const NEVER = 9;
const CREATED_STOCK = 100;

interface LineSpec {
  readonly productId: number;
  readonly quantity: number;
  /** How the line reaches the function: live only, as a letter an older version wrote, or both. */
  readonly path: 'live' | 'letter' | 'both';
  readonly liveTwice: boolean;
}

/** A stock-take (orders) or a receipt count (ledger): products.stock_quantity set to `value`. */
interface StockTakeSpec {
  readonly productId: number;
  /** Commits just after order line `slot` (or after all of them). */
  readonly slot: number;
  readonly value: number;
}

interface CaseSpec {
  readonly model: StockModel;
  readonly lines: readonly LineSpec[];
  readonly stockTakes: readonly StockTakeSpec[];
  /** When the products changes reach the function: before everything, after the letters, or during replay. */
  readonly productsArrive: 'first' | 'afterLetters' | 'duringReplay';
  /** Replay twice at once, with a live redelivery, instead of replay, redelivery, replay. */
  readonly concurrent: boolean;
}

const caseArb: fc.Arbitrary<CaseSpec> = fc.record({
  model: fc.constantFrom<StockModel>('orders', 'ledger'),
  lines: fc.array(
    fc.record({
      productId: fc.constantFrom(...PRODUCTS, NEVER),
      quantity: fc.integer({ min: 1, max: 5 }),
      path: fc.constantFrom<LineSpec['path']>('live', 'letter', 'both'),
      liveTwice: fc.boolean(),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  stockTakes: fc.array(
    fc.record({
      productId: fc.constantFrom(...PRODUCTS),
      slot: fc.nat({ max: 12 }),
      // The created count again now and then: under the orders model that sets nothing.
      value: fc.oneof(fc.constant(CREATED_STOCK), fc.integer({ min: 0, max: 200 })),
    }),
    { maxLength: 4 },
  ),
  productsArrive: fc.constantFrom<CaseSpec['productsArrive']>('first', 'afterLetters', 'duringReplay'),
  concurrent: fc.boolean(),
});

/**
 * A case that always has a letter settled by a later stock-take: random cases find one often but not always
 * (one run in several of 50 cases has none), and the tally below must not depend on chance.
 */
const SETTLED_BY_STOCK_TAKE: CaseSpec = {
  model: 'orders',
  lines: [{ productId: 1, quantity: 3, path: 'letter', liveTwice: false }],
  stockTakes: [{ productId: 1, slot: 0, value: 40 }],
  productsArrive: 'afterLetters',
  concurrent: false,
};

/** Each change its own transaction, committed just before its LSN. */
const at = (lsn: number) => ({ lastCommit: lsn - 1, lsn, tsMs: BASE_TS_MS + lsn });
const lineLsn = (index: number) => 200 + 50 * index;
/** Between line `slot` and the next: unique per product and take (id + 4 k < 50). */
const stockTakeLsn = (take: StockTakeSpec, k: number) => lineLsn(take.slot) + 10 + take.productId + 4 * k;

type SourceChange =
  | {
      readonly lsn: number;
      readonly kind: 'create' | 'take';
      readonly productId: number;
      readonly value: number;
    }
  | { readonly lsn: number; readonly kind: 'line'; readonly productId: number; readonly value: number };

/** What Postgres committed, in commit order. */
const history = (spec: CaseSpec): SourceChange[] =>
  [
    ...PRODUCTS.map((id) => ({
      lsn: 100 + id,
      kind: 'create' as const,
      productId: id,
      value: CREATED_STOCK,
    })),
    ...spec.stockTakes.map((take, k) => ({
      lsn: stockTakeLsn(take, k),
      kind: 'take' as const,
      productId: take.productId,
      value: take.value,
    })),
    ...spec.lines.map((line, index) => ({
      lsn: lineLsn(index),
      kind: 'line' as const,
      productId: line.productId,
      value: line.quantity,
    })),
  ].sort((a, b) => a.lsn - b.lsn);

/**
 * The serial application in commit order: orders model, a count that changed sets the stock and later lines
 * subtract; ledger model, counts move the stock by their difference and every line subtracts.
 */
const serialStock = (spec: CaseSpec): Map<number, number> => {
  const stock = new Map<number, number>();
  const source = new Map<number, number>();
  for (const change of history(spec)) {
    const { productId: id, value } = change;
    if (change.kind === 'create') {
      stock.set(id, value);
      source.set(id, value);
    } else if (change.kind === 'take') {
      const previous = source.get(id) as number;
      if (spec.model === 'ledger') stock.set(id, (stock.get(id) as number) + value - previous);
      else if (value !== previous) stock.set(id, value);
      source.set(id, value);
    } else if (stock.has(id)) {
      stock.set(id, (stock.get(id) as number) - value);
    }
  }
  return stock;
};

const productRow = (id: number, stock: number) => ({
  id,
  name: `P${id}`,
  description: null,
  price: '1.00',
  stock_quantity: stock,
});

/** The products topic: two partitions by id, each in commit order. */
const productRecords = (spec: CaseSpec): TestKafkaRecord[] => {
  const offsets = new Map<number, number>();
  return history(spec)
    .filter((change) => change.kind !== 'line')
    .map((change) => {
      const partition = change.productId % 2;
      const offset = offsets.get(partition) ?? 0;
      offsets.set(partition, offset + 1);
      const row = productRow(change.productId, change.value);
      return productRecordAt(change.kind === 'create' ? 'c' : 'u', row, at(change.lsn), offset, partition);
    });
};

const lineRecords = (spec: CaseSpec): TestKafkaRecord[] =>
  spec.lines.map((line, index) => {
    const row: OrderItemRow = {
      id: index + 1,
      order_id: index,
      product_id: line.productId,
      quantity: line.quantity,
    };
    return orderItemRecordAt(row, at(lineLsn(index)), index, index % 2);
  });

const totals = {
  cases: 0,
  REPLAYED: 0,
  ALREADY_APPLIED: 0,
  STILL_FAILING: 0,
  HELD_BACK: 0,
  settledByStockTake: 0,
};

const addTotals = (summaries: readonly ReplaySummary[]): void => {
  for (const { counts, results } of summaries) {
    totals.REPLAYED += counts.REPLAYED;
    totals.ALREADY_APPLIED += counts.ALREADY_APPLIED;
    totals.STILL_FAILING += counts.STILL_FAILING;
    totals.HELD_BACK += counts.HELD_BACK;
    totals.settledByStockTake += results.filter(({ detail }) =>
      detail.includes('already in the stock count'),
    ).length;
  }
};

const pendingLetters = async (service: LocalService) =>
  (await service.listDeadLetters()).filter(({ key }) => !key.startsWith('replayed/'));

/**
 * Replay of dead letters follows the live rules: whatever mix of live deliveries (before or after the
 * product, once or twice), letters of older versions, stock-takes before and after the lines, replays run
 * twice or at the same time as each other, as a live redelivery and as the products' own arrival, and
 * settled letters put back and replayed again, each order line counts once: the table equals the serial
 * commit-order application under the stock model; lines of a product that never comes stay letters.
 */
describe('replay follows the same rules as live traffic', () => {
  let aws: EmbeddedAws;
  let run = 0;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });

  afterAll(async () => {
    await aws.stop();
    console.info('replay property totals', JSON.stringify(totals));
  });

  const runCase = async (spec: CaseSpec) => {
    // Prepare
    run += 1;
    const service = await startLocalService({
      aws,
      env: { DYNAMODB_TABLE: `replay-p${run}`, DLQ_S3_BUCKET: `replay-p${run}`, STOCK_MODEL: spec.model },
    });
    const bucket = service.config.deadLetterBucket;
    const records = lineRecords(spec);
    const products = productRecords(spec);
    const live = records.filter((_, index) => spec.lines[index]?.path !== 'letter');
    const twice = records.filter(
      (_, index) => spec.lines[index]?.path !== 'letter' && spec.lines[index]?.liveTwice,
    );
    const letters = spec.lines.flatMap((line, index) =>
      line.path === 'live'
        ? []
        : [olderVersionLetter(records[index] as TestKafkaRecord, line.productId, new Date(BASE_TS_MS))],
    );
    const invoke = async (batch: readonly TestKafkaRecord[]) =>
      batch.length === 0 ? undefined : (await service.invoke(mskEvent(batch))).counts;

    // Act: the products come first, after the letters, or while the first replays run.
    if (spec.productsArrive === 'first') await invoke(products);
    await invoke(live);
    await putLetters(service.aws.s3, bucket, letters);
    if (spec.productsArrive === 'afterLetters') await invoke(products);
    const during = spec.productsArrive === 'duringReplay' ? products : [];
    const summaries: ReplaySummary[] = [];
    if (spec.concurrent) {
      const [a, b] = await Promise.all([replay(service), replay(service), invoke(twice), invoke(during)]);
      // Both may have run before the products arrived: the operator runs it once more.
      summaries.push(a, b, await replay(service));
    } else {
      const [first] = await Promise.all([replay(service), invoke(during)]);
      await invoke(twice);
      summaries.push(first, await replay(service));
    }
    const settled = await service.scanInventory();
    // Every settled letter comes back under its key and is replayed again, while all lines are redelivered.
    await putReplayedLettersBack(service.aws.s3, bucket);
    const [again, redelivered] = await Promise.all([replay(service), invoke(records)]);
    // One more run settles what concurrent runs left (a letter one run failed while the other replayed it).
    const last = await replay(service);

    // Assess
    const items = await service.scanInventory();
    const pending = await pendingLetters(service);
    const ledger = await ledgerOrderLines(service);
    await service.stop();
    const expected = serialStock(spec);
    expect(Object.fromEntries(items.map((item) => [item.product_id, item.stock_quantity]))).toEqual(
      Object.fromEntries(expected),
    );
    expect(settled).toEqual(items);
    expect([again.counts.REPLAYED, last.counts.REPLAYED, redelivered?.StockDecremented ?? 0]).toEqual([
      0, 0, 0,
    ]);
    const replayedPerKey = new Map<string, number>();
    for (const { key, outcome } of [...summaries, again, last].flatMap((summary) => summary.results)) {
      if (outcome === 'REPLAYED') replayedPerKey.set(key, (replayedPerKey.get(key) ?? 0) + 1);
    }
    expect([...replayedPerKey.values()].filter((count) => count > 1)).toEqual([]);
    // Every line is recorded once by its identity (the last redelivery brought those of product 9 too).
    const expectedLedger: Record<number, number[]> = {};
    spec.lines.forEach((line, index) => {
      expectedLedger[line.productId] = [...(expectedLedger[line.productId] ?? []), index + 1];
    });
    expect(ledger).toEqual(expectedLedger);
    const neverLetters = spec.lines.filter((line) => line.productId === NEVER && line.path !== 'live').length;
    expect(pending.map(({ letter }) => letter.error.code)).toEqual(
      Array(neverLetters).fill('UNKNOWN_PRODUCT'),
    );
    for (const { letter } of pending) expect(letter.errors.length).toBeGreaterThanOrEqual(3);
    totals.cases += 1;
    addTotals([...summaries, again, last]);
  };

  it('counts every order line once, as the serial commit order does, whatever replays and redeliveries overlap', async () => {
    await fc.assert(fc.asyncProperty(caseArb, runCase), {
      numRuns: NUM_RUNS,
      endOnFailure: true,
      examples: [[SETTLED_BY_STOCK_TAKE]],
    });
    // Too few cases may miss a kind of outcome by chance; the default run and the soak do not.
    if (NUM_RUNS < 20) return;
    expect(totals.REPLAYED).toBeGreaterThan(0);
    expect(totals.ALREADY_APPLIED).toBeGreaterThan(0);
    expect(totals.STILL_FAILING).toBeGreaterThan(0);
    expect(totals.settledByStockTake).toBeGreaterThan(0);
  }, 600_000);
});
