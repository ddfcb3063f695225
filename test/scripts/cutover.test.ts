import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { runCli } from '../../scripts/cli/run-cli.js';
import { cutoverMain } from '../../scripts/cutover/cutover.js';
import { CUTOVER_TOOL } from '../../scripts/cutover/options.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import {
  BASE_TS_MS,
  mskEvent,
  orderItemRecordAt,
  type ProductRow,
  productRecordAt,
  type SourceAt,
  type TestKafkaRecord,
} from '../support/debezium.js';
import { capturingIo, startTestPostgres, type TestPostgres } from './support/postgres.js';

/**
 * The handover from the Python inventory-service (docs/cutover.md): the table holds the Python service's last
 * state (its item shape, no bookkeeping) reflecting every change up to P; `npm run cutover` stamps it; then the
 * real handler gets what the new mappings deliver: Debezium's re-emission of changes at or before P at new
 * offsets (and, from TRIM_HORIZON, the whole history again), then the changes after P, with a mapping retry.
 * The table must end as applying every change once in commit order gives, under each stock model.
 */

type Step =
  | { kind: 'create'; id: number; name: string; price: string; stock: number; description: string | null }
  | { kind: 'price'; id: number; price: string }
  | { kind: 'rename'; id: number; name: string }
  /** A stock-take (orders, products) or the received total after a receipt (ledger). */
  | { kind: 'count'; id: number; stock: number }
  | { kind: 'order'; id: number; line: number; quantity: number }
  | { kind: 'delete'; id: number; lines: number[] };

/** The shop's transactions in commit order; P is the last change of transaction LAST_BEFORE_P. */
const HISTORY: Step[][] = [
  [
    { kind: 'create', id: 1, name: 'Laptop', price: '1299.99', stock: 50, description: 'Fast' },
    { kind: 'create', id: 2, name: 'Mouse', price: '24.99', stock: 20, description: null },
    { kind: 'create', id: 3, name: 'Hub', price: '45.00', stock: 5, description: 'USB-C' },
    { kind: 'create', id: 4, name: 'Cable', price: '9.99', stock: 100, description: null },
  ],
  [{ kind: 'order', id: 1, line: 101, quantity: 3 }],
  [{ kind: 'count', id: 2, stock: 30 }],
  [
    { kind: 'price', id: 3, price: '42.50' },
    { kind: 'order', id: 2, line: 102, quantity: 4 },
  ],
  [{ kind: 'delete', id: 4, lines: [] }],
  [
    { kind: 'order', id: 1, line: 103, quantity: 2 },
    { kind: 'order', id: 3, line: 104, quantity: 1 },
  ],
  // ---- P: the Python service has applied everything above ----
  [
    { kind: 'order', id: 1, line: 105, quantity: 5 },
    { kind: 'price', id: 2, price: '19.99' },
  ],
  [{ kind: 'count', id: 1, stock: 60 }],
  [
    { kind: 'order', id: 1, line: 106, quantity: 1 },
    { kind: 'order', id: 2, line: 107, quantity: 2 },
  ],
  [{ kind: 'create', id: 5, name: 'Dock', price: '150.00', stock: 8, description: 'Ten ports' }],
  // A change that leaves the count as it is: under orders and ledger it must not reset the stock.
  [{ kind: 'rename', id: 2, name: 'Wireless Mouse' }],
  [
    { kind: 'order', id: 3, line: 108, quantity: 1 },
    { kind: 'order', id: 5, line: 109, quantity: 2 },
  ],
  [{ kind: 'delete', id: 3, lines: [104, 108] }],
];
const LAST_BEFORE_P = 6;
/** Debezium's restart re-sends from its last flushed offset: here from transaction 3 on. */
const REEMITTED_FROM = 3;
/** An item the Python service holds that has no products row (a hand-made item, a lost delete). */
const STRAY_ID = 99;

interface Change {
  readonly table: 'products' | 'order_items';
  readonly op: 'c' | 'u' | 'd';
  readonly row: ProductRow | { id: number; order_id: number; product_id: number; quantity: number };
  readonly at: SourceAt;
}

interface ExpectedItem {
  product_id: number;
  name: string;
  price: string;
  stock_quantity: number;
  description?: string;
}

/** The source rows and the contract's serial reference (SOURCE_SCHEMA.md, "Stock models") side by side. */
class Shop {
  readonly rows = new Map<number, ProductRow>();
  readonly stock = new Map<number, number>();
  readonly lineProduct = new Map<number, number>();

  constructor(private readonly model: StockModel) {}

  /** The row changes one step commits; applies them to the rows and to the reference. */
  commit(step: Step): Array<Omit<Change, 'at'>> {
    const row = this.rows.get(step.id);
    if (step.kind === 'create') {
      const created = { id: step.id, name: step.name, description: step.description, price: step.price };
      return [this.#setRow({ ...created, stock_quantity: step.stock }, 'c')];
    }
    if (row === undefined) throw new Error(`step on missing product ${step.id}`);
    if (step.kind === 'price') return [this.#setRow({ ...row, price: step.price }, 'u')];
    if (step.kind === 'rename') return [this.#setRow({ ...row, name: step.name }, 'u')];
    if (step.kind === 'count') return [this.#setRow({ ...row, stock_quantity: step.stock }, 'u')];
    if (step.kind === 'order') {
      this.lineProduct.set(step.line, step.id);
      if (this.model !== 'products') this.stock.set(step.id, (this.stock.get(step.id) ?? 0) - step.quantity);
      const line = {
        id: step.line,
        order_id: 7000 + step.line,
        product_id: step.id,
        quantity: step.quantity,
      };
      const changes: Array<Omit<Change, 'at'>> = [{ table: 'order_items', op: 'c', row: line }];
      // Under products the shop's order transaction also lowers products.stock_quantity.
      if (this.model === 'products') {
        changes.push(this.#setRow({ ...row, stock_quantity: row.stock_quantity - step.quantity }, 'u'));
      }
      return changes;
    }
    this.rows.delete(step.id);
    this.stock.delete(step.id);
    // The foreign key: the product's order lines go first.
    const lines = step.lines.map(
      (id): Omit<Change, 'at'> => ({
        table: 'order_items',
        op: 'd',
        row: { id, order_id: 7000 + id, product_id: step.id, quantity: 1 },
      }),
    );
    return [...lines, { table: 'products', op: 'd', row }];
  }

  #setRow(next: ProductRow, op: 'c' | 'u'): Omit<Change, 'at'> {
    const previous = this.rows.get(next.id);
    this.rows.set(next.id, next);
    const current = this.stock.get(next.id) ?? 0;
    if (op === 'c' || previous === undefined || this.model === 'products') {
      this.stock.set(next.id, next.stock_quantity);
    } else if (this.model === 'orders') {
      if (next.stock_quantity !== previous.stock_quantity) this.stock.set(next.id, next.stock_quantity);
    } else this.stock.set(next.id, current + next.stock_quantity - previous.stock_quantity);
    return { table: 'products', op, row: next };
  }

  expected(): ExpectedItem[] {
    return [...this.rows.values()].map((row) => ({
      product_id: row.id,
      name: row.name,
      price: row.price,
      stock_quantity: this.stock.get(row.id) ?? 0,
      ...(row.description === null ? {} : { description: row.description }),
    }));
  }
}

const commitLsn = (turn: number) => turn * 1000 + 900;

/** Every transaction's changes at Debezium positions: LSNs in the turn's range, sequence [previous COMMIT, lsn]. */
const playHistory = (model: StockModel) => {
  const shop = new Shop(model);
  const transactions: Change[][] = [];
  let atP: { rows: ProductRow[]; expected: ExpectedItem[]; position: SourceAt } | undefined;
  HISTORY.forEach((steps, index) => {
    const turn = index + 1;
    const changes = steps
      .flatMap((step) => shop.commit(step))
      .map(
        (change, k): Change => ({
          ...change,
          at: { lsn: turn * 1000 + 10 * (k + 1), lastCommit: commitLsn(turn - 1), tsMs: BASE_TS_MS + turn },
        }),
      );
    transactions.push(changes);
    if (turn === LAST_BEFORE_P) {
      const last = changes.at(-1) as Change;
      atP = { rows: [...shop.rows.values()], expected: shop.expected(), position: last.at };
    }
  });
  if (atP === undefined) throw new Error('P is past the history');
  return { transactions, atP, final: shop.expected() };
};

/** The two topics as the new mappings read them: records appended per partition, offsets counting on. */
class Topics {
  readonly logs = new Map<string, TestKafkaRecord[]>();

  append(changes: readonly Change[]): void {
    for (const change of changes) {
      const partition = change.row.id % 2;
      const mapKey = `${change.table}-${partition}`;
      const log = this.logs.get(mapKey) ?? [];
      this.logs.set(mapKey, log);
      const offset = log.length;
      log.push(
        change.table === 'products'
          ? productRecordAt(change.op, change.row as ProductRow, change.at, offset, partition)
          : orderItemRecordAt(
              change.row as Parameters<typeof orderItemRecordAt>[0],
              change.at,
              offset,
              partition,
              change.op === 'd' ? 'd' : 'c',
            ),
      );
    }
  }

  /**
   * Records from `from[mapKey]` up to `to[mapKey]` (default: the end), in polls of up to `size` per partition,
   * the two mappings taking turns.
   */
  polls(
    from: ReadonlyMap<string, number>,
    to: ReadonlyMap<string, number>,
    size: number,
  ): TestKafkaRecord[][] {
    const cursors = new Map([...this.logs.keys()].map((key) => [key, from.get(key) ?? 0]));
    const events: TestKafkaRecord[][] = [];
    for (let more = true; more; ) {
      more = false;
      for (const table of ['products', 'order_items']) {
        const batch: TestKafkaRecord[] = [];
        for (const [key, log] of this.logs) {
          if (!key.startsWith(`${table}-`)) continue;
          const cursor = cursors.get(key) ?? 0;
          const end = to.get(key) ?? log.length;
          batch.push(...log.slice(cursor, Math.min(end, cursor + size)));
          cursors.set(key, Math.min(end, cursor + size));
          if (cursor + size < end) more = true;
        }
        if (batch.length > 0) events.push(batch);
      }
    }
    return events;
  }

  ends(): Map<string, number> {
    return new Map([...this.logs].map(([key, log]) => [key, log.length]));
  }
}

const pythonItem = (item: ExpectedItem): Record<string, AttributeValue> => ({
  product_id: { N: String(item.product_id) },
  name: { S: item.name },
  ...(item.description === undefined ? {} : { description: { S: item.description } }),
  price: { S: item.price },
  stock_quantity: { N: String(item.stock_quantity) },
  last_updated: { S: '2025-01-15T10:30:00' },
  cdc_timestamp: { N: '1736936400000' },
});

const STRAY: ExpectedItem = { product_id: STRAY_ID, name: 'Gift card', price: '25.00', stock_quantity: 7 };

const withStray = (items: readonly ExpectedItem[]): ExpectedItem[] =>
  [...items, STRAY].sort((a, b) => a.product_id - b.product_id);

const contractFields = (items: readonly Readonly<Record<string, unknown>>[]): ExpectedItem[] =>
  items
    .map((item) => ({
      product_id: Number(item.product_id),
      name: String(item.name),
      price: String(item.price),
      stock_quantity: Number(item.stock_quantity),
      ...(item.description === undefined ? {} : { description: String(item.description) }),
    }))
    .sort((a, b) => a.product_id - b.product_id);

const MODELS: readonly StockModel[] = ['orders', 'ledger', 'products'];
const Start = { COPIED_OFFSETS: 'copied offsets', TRIM_HORIZON: 'TRIM_HORIZON' } as const;
type Start = (typeof Start)[keyof typeof Start];

describe('cutover from the Python service, then the handover through the real handler', () => {
  let aws: EmbeddedAws;
  let postgres: TestPostgres;
  let run = 0;

  beforeAll(async () => {
    [aws, postgres] = await Promise.all([startEmbeddedAws(), startTestPostgres()]);
  });

  afterAll(async () => {
    await Promise.all([aws?.stop(), postgres?.stop()]);
  });

  /** The Python service's last state: its items, no bookkeeping; the shop database as it is at P. */
  const playPythonEra = async (model: StockModel) => {
    run += 1;
    const history = playHistory(model);
    const service = await startLocalService({
      aws,
      env: { DYNAMODB_TABLE: `cutover-${run}`, DLQ_S3_BUCKET: `cutover-${run}`, STOCK_MODEL: model },
    });
    for (const item of [...history.atP.expected, STRAY]) {
      await aws.dynamoDb.send(
        new PutItemCommand({ TableName: service.config.tableName, Item: pythonItem(item) }),
      );
    }
    const client = await postgres.client();
    try {
      await client.query('TRUNCATE order_items, products');
      for (const row of history.atP.rows) {
        await client.query(
          'INSERT INTO products (id, name, description, price, stock_quantity) VALUES ($1, $2, $3, $4, $5)',
          [row.id, row.name, row.description, row.price, row.stock_quantity],
        );
      }
    } finally {
      await client.end();
    }
    const { lastCommit, lsn } = history.atP.position;
    return { history, service, position: JSON.stringify([String(lastCommit), String(lsn)]) };
  };

  const cutover = async (
    model: StockModel,
    service: LocalService,
    args: string[],
    { postgresUrl = postgres.url, json = true }: { postgresUrl?: string; json?: boolean } = {},
  ) => {
    const captured = capturingIo();
    const code = await runCli(
      CUTOVER_TOOL,
      (argv, io) => cutoverMain(argv, io, { ...aws.env }),
      [
        '--endpoint',
        'local',
        '--table',
        service.config.tableName,
        '--stock-model',
        model,
        '--postgres',
        postgresUrl,
        ...(json ? ['--json'] : []),
        '--recheck-after',
        '0',
        ...args,
      ],
      captured.io,
    );
    const stdout = captured.stdout();
    return { code, stderr: captured.stderr(), json: code === 0 && json ? JSON.parse(stdout) : undefined };
  };

  /**
   * What the new mappings deliver after the connector restarts, from where they start, in two phases: up to
   * the end of Debezium's re-emission (every change in it is at or before P), then the changes after P.
   */
  const handover = (history: ReturnType<typeof playHistory>, start: Start) => {
    const topics = new Topics();
    for (const changes of history.transactions.slice(0, LAST_BEFORE_P)) topics.append(changes);
    const copied = topics.ends();
    // The connector's restart re-sends what it had not flushed, at new offsets, then streams on.
    for (const changes of history.transactions.slice(REEMITTED_FROM - 1, LAST_BEFORE_P))
      topics.append(changes);
    const reemitted = topics.ends();
    for (const changes of history.transactions.slice(LAST_BEFORE_P)) topics.append(changes);
    const upToP = topics.polls(start === Start.COPIED_OFFSETS ? copied : new Map(), reemitted, 2);
    const afterP = topics.polls(reemitted, new Map(), 2);
    // A mapping retry in each phase: a poll in the middle is delivered twice.
    const retry = (polls: TestKafkaRecord[][]) => {
      const middle = Math.floor(polls.length / 2);
      return [...polls.slice(0, middle + 1), ...polls.slice(middle)];
    };
    return { upToP: retry(upToP), afterP: retry(afterP) };
  };

  const deliver = async (service: LocalService, polls: readonly TestKafkaRecord[][]) => {
    const deadLetters: string[] = [];
    for (const records of polls) {
      const summary = await service.invoke(mskEvent(records));
      deadLetters.push(...summary.deadLetterKeys);
    }
    return deadLetters;
  };

  describe.each(MODELS)('under the %s stock model', (model) => {
    it.each([Start.COPIED_OFFSETS, Start.TRIM_HORIZON])(
      'applies nothing twice and skips nothing, the mappings starting at %s',
      async (start) => {
        // Prepare
        const { history, service, position } = await playPythonEra(model);
        try {
          // Act
          const stamped = await cutover(model, service, ['--position', position]);
          const polls = handover(history, start);
          const deadLetters = await deliver(service, polls.upToP);
          const atP = await service.scanInventory();
          deadLetters.push(...(await deliver(service, polls.afterP)));
          const final = await service.scanInventory();

          // Assess
          expect(stamped.code).toBe(0);
          const pythonItems = history.atP.expected.length;
          expect(stamped.json.counts).toMatchObject({
            scanned: pythonItems + 1,
            stamped: model === 'products' ? pythonItems + 1 : pythonItems,
            alreadyStamped: 0,
            missingInDatabase: model === 'products' ? 0 : 1,
          });
          expect(deadLetters).toEqual([]);
          // Everything re-sent is at or before P: the Python state stands as it was.
          expect(contractFields(atP)).toEqual(withStray(history.atP.expected));
          expect(contractFields(final)).toEqual(withStray(history.final));
        } finally {
          await service.stop();
        }
      },
    );
  });

  it.each(['orders', 'ledger'] as const)(
    'without the stamp, the same handover under %s subtracts re-sent order lines again (what the tool prevents)',
    async (model) => {
      // Prepare
      const { history, service } = await playPythonEra(model);
      try {
        // Act
        await deliver(service, handover(history, Start.COPIED_OFFSETS).upToP);

        // Assess
        const atP = contractFields(await service.scanInventory());
        const laptop = (items: readonly ExpectedItem[]) => items.find((item) => item.product_id === 1);
        const pythonLaptop = laptop(history.atP.expected)?.stock_quantity ?? 0;
        // Order line 103 (2 units) was in the Python stock and is subtracted again.
        expect(laptop(atP)?.stock_quantity).toBe(pythonLaptop - 2);
      } finally {
        await service.stop();
      }
    },
  );

  it('writes nothing on --dry-run, stamps once, and a second run finds everything stamped', async () => {
    // Prepare
    const { history, service, position } = await playPythonEra('orders');
    try {
      // Act
      const dry = await cutover('orders', service, ['--position', position, '--dry-run']);
      const afterDry = await service.scanInventory();
      const first = await cutover('orders', service, ['--position', position, '--page-size', '2']);
      const afterFirst = await service.scanInventory();
      const second = await cutover('orders', service, ['--position', position]);

      // Assess
      const pythonItems = history.atP.expected.length;
      expect(dry.json).toMatchObject({
        dryRun: true,
        counts: { stamped: pythonItems, missingInDatabase: 1 },
      });
      expect(afterDry.every((item) => item.cdc_position === undefined)).toBe(true);
      expect(first.json.counts).toMatchObject({ scanned: pythonItems + 1, stamped: pythonItems });
      expect(first.json.missingInDatabaseIds).toEqual([String(STRAY_ID)]);
      const stampedItems = afterFirst.filter((item) => item.product_id !== STRAY_ID);
      for (const item of stampedItems) {
        const row = history.atP.rows.find((candidate) => candidate.id === item.product_id);
        expect(item).toMatchObject({
          cdc_position: first.json.cdcPosition,
          stock_position: first.json.stockPosition,
          source_stock: row?.stock_quantity,
        });
      }
      expect(first.json.stockPosition > first.json.cdcPosition).toBe(true);
      expect(afterFirst.find((item) => item.product_id === STRAY_ID)).not.toHaveProperty('cdc_position');
      expect(second.json.counts).toMatchObject({ stamped: 0, alreadyStamped: pythonItems });
      expect(first.stderr).toMatch(/^cutover: stamping the items of cutover-\d+ without cdc_position/m);
    } finally {
      await service.stop();
    }
  });

  it('refuses, in one line with exit code 2, a P older than what the table already reflects', async () => {
    // Prepare: the mappings were started before the stamp and applied changes committed after P
    const { history, service, position } = await playPythonEra('orders');
    try {
      await deliver(service, handover(history, Start.COPIED_OFFSETS).afterP);
      const before = await service.scanInventory();

      // Act
      const { code, stderr } = await cutover('orders', service, ['--position', position], { json: false });

      // Assess: stamping at P would make the order lines between P and what the table holds count again
      expect(code).toBe(2);
      expect(stderr.split('\n').filter((line) => line !== '')).toHaveLength(1);
      expect(stderr).toMatch(
        /^cutover: --position \["\d+","\d+"\] is older than what the table already reflects \(product \d+: .* at [0-9a-f]+, P is [0-9a-f]+\); take P again .*\n$/,
      );
      expect(await service.scanInventory()).toEqual(before);
    } finally {
      await service.stop();
    }
  });

  it('reads its stamps again and exits 3, not telling to start the mappings, while the Python service still writes', async () => {
    // Prepare: the Python service was not stopped; it keeps writing the Mouse as it holds it
    const { history, service, position } = await playPythonEra('orders');
    const mouse = history.atP.expected.find((item) => item.product_id === 2) as ExpectedItem;
    let writing = true;
    const python = (async () => {
      while (writing) {
        await aws.dynamoDb.send(
          new PutItemCommand({ TableName: service.config.tableName, Item: pythonItem(mouse) }),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      // Act
      const result = await cutover('orders', service, ['--position', position, '--recheck-after', '1'], {
        json: false,
      });
      writing = false;
      await python;
      const quiet = await cutover('orders', service, ['--position', position, '--recheck-after', '1']);

      // Assess: once it has stopped, a second run stamps what lost its stamp and says what to do next
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /^cutover: of the items stamped, 1 lost their stamp \(2\): something still writes/m,
      );
      expect(result.stderr).not.toContain('deploy the mappings');
      expect(quiet.code).toBe(0);
      expect(quiet.json).toMatchObject({ counts: { stamped: 1 }, recheck: { erased: [], writtenOver: [] } });
    } finally {
      writing = false;
      await python;
      await service.stop();
    }
  });

  it('ends in one line when PostgreSQL is unreachable, before touching the table', async () => {
    // Prepare
    const { service, position } = await playPythonEra('ledger');
    try {
      // Act
      const { code, stderr } = await cutover('ledger', service, ['--position', position], {
        postgresUrl: 'postgres://nobody@127.0.0.1:1/shop',
        json: false,
      });

      // Assess
      expect(code).toBe(1);
      expect(stderr).toMatch(/^cutover: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/shop: .*\n$/);
      expect((await service.scanInventory()).some((item) => item.cdc_position !== undefined)).toBe(false);
    } finally {
      await service.stop();
    }
  });
});
