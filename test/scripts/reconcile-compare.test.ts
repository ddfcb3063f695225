import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { StockModel } from '../../lambda/inventory/stock-model.js';
import { CliError, UsageError } from '../../scripts/cli/errors.js';
import {
  compareProduct,
  type DatabaseProduct,
  resendChanges,
  Status,
  StockCheck,
  type TableItem,
} from '../../scripts/reconcile/compare.js';
import { describePostgresUrl, parsePostgresUrl } from '../../scripts/reconcile/database.js';
import { parseReconcileArgs } from '../../scripts/reconcile/options.js';
import {
  type IdRun,
  SignalFormat,
  type SignalOptions,
  signalIdPrefix,
  signalStatements,
} from '../../scripts/reconcile/repair-sql.js';
import { ReconcileProgress } from '../../scripts/reconcile/report.js';
import { createPacer, createTableReader } from '../../scripts/reconcile/table-reads.js';
import { capturingIo } from './support/postgres.js';

const row = (overrides: Partial<DatabaseProduct> = {}): DatabaseProduct => ({
  id: 1004,
  name: 'Mechanical Keyboard',
  description: 'RGB, brown switches',
  price: '89.00',
  stockQuantity: 10,
  ordered: 0,
  ...overrides,
});

const item = (overrides: Record<string, TableItem[string] | undefined> = {}): TableItem => {
  const base: Record<string, TableItem[string] | undefined> = {
    product_id: { N: '1004' },
    name: { S: 'Mechanical Keyboard' },
    description: { S: 'RGB, brown switches' },
    price: { S: '89.00' },
    stock_quantity: { N: '10' },
    source_stock: { N: '10' },
    ...overrides,
  };
  return Object.fromEntries(Object.entries(base).filter(([, value]) => value !== undefined)) as TableItem;
};

const fieldsOf = (model: StockModel, database: DatabaseProduct, table: TableItem) => {
  const comparison = compareProduct(model, database, table);
  return comparison.status === Status.DIFFERENT ? comparison.differences.map((d) => d.field) : [];
};

describe('compareProduct: name, description and price exactly under every model', () => {
  it.each(Object.values(StockModel))('%s', (model) => {
    // Prepare
    const withoutDescription = row({ description: null });

    // Act
    const results = {
      same: compareProduct(model, row(), item()).status,
      name: fieldsOf(model, row(), item({ name: { S: 'Mechanical keyboard' } })),
      trailingSpace: fieldsOf(model, row(), item({ name: { S: 'Mechanical Keyboard ' } })),
      priceScale: fieldsOf(model, row(), item({ price: { S: '89.0' } })),
      priceAsNumber: fieldsOf(model, row(), item({ price: { N: '89' } })),
      nullDescriptionAbsent: compareProduct(model, withoutDescription, item({ description: undefined }))
        .status,
      nullDescriptionPresent: fieldsOf(model, withoutDescription, item()),
      descriptionMissing: fieldsOf(model, row(), item({ description: undefined })),
      missing: compareProduct(model, row(), undefined).status,
      extra: compareProduct(model, undefined, item()).status,
    };

    // Assess
    expect(results).toEqual({
      same: Status.AGREE,
      name: ['name'],
      trailingSpace: ['name'],
      priceScale: ['price'],
      priceAsNumber: ['price'],
      nullDescriptionAbsent: Status.AGREE,
      nullDescriptionPresent: ['description'],
      descriptionMissing: ['description'],
      missing: Status.MISSING_FROM_TABLE,
      extra: Status.NOT_IN_DATABASE,
    });
  });
});

describe('compareProduct: the stock per model', () => {
  it('products: the row is the stock; order lines and source_stock are not looked at', () => {
    // Act
    const same = compareProduct(StockModel.PRODUCTS, row({ ordered: 5 }), item({ source_stock: { N: '3' } }));
    const off = compareProduct(StockModel.PRODUCTS, row(), item({ stock_quantity: { N: '9' } }));

    // Assess
    expect(same).toEqual({ status: Status.AGREE, stock: StockCheck.EXACT });
    expect(off).toEqual({
      status: Status.DIFFERENT,
      stock: StockCheck.EXACT,
      differences: [{ field: 'stock_quantity', table: 9, database: 10, expected: '10' }],
    });
  });

  it('ledger: received less ordered, exactly; source_stock must be the count', () => {
    // Prepare
    const database = row({ stockQuantity: 10, ordered: 3 });

    // Act
    const exact = compareProduct(StockModel.LEDGER, database, item({ stock_quantity: { N: '7' } }));
    const ordersMissed = compareProduct(StockModel.LEDGER, database, item({ stock_quantity: { N: '10' } }));
    const wrongCount = fieldsOf(
      StockModel.LEDGER,
      database,
      item({ stock_quantity: { N: '7' }, source_stock: { N: '8' } }),
    );
    const pythonItem = compareProduct(
      StockModel.LEDGER,
      database,
      item({ stock_quantity: { N: '7' }, source_stock: undefined }),
    );

    // Assess
    expect(exact).toEqual({ status: Status.AGREE, stock: StockCheck.EXACT });
    expect(ordersMissed).toMatchObject({
      status: Status.DIFFERENT,
      differences: [
        { field: 'stock_quantity', table: 10, database: 10, expected: '7 (10 received − 3 ordered)' },
      ],
    });
    expect(wrongCount).toEqual(['source_stock']);
    expect(pythonItem.status).toBe(Status.AGREE);
  });

  it('orders: between the count less every order line and the count; exact without order lines', () => {
    // Prepare
    const database = row({ stockQuantity: 10, ordered: 3 });
    const stock = (n: number) => item({ stock_quantity: { N: String(n) } });

    // Act
    const inside = [7, 8, 9, 10].map((n) => compareProduct(StockModel.ORDERS, database, stock(n)));
    const outside = [6, 11].map((n) => fieldsOf(StockModel.ORDERS, database, stock(n)));
    const noLines = [10, 9].map(
      (n) => compareProduct(StockModel.ORDERS, row({ ordered: 0 }), stock(n)).status,
    );
    const absentStock = fieldsOf(StockModel.ORDERS, database, item({ stock_quantity: undefined }));
    const countMissed = fieldsOf(StockModel.ORDERS, database, item({ source_stock: { N: '12' } }));

    // Assess
    expect(inside).toEqual(Array(4).fill({ status: Status.AGREE, stock: StockCheck.BOUNDED }));
    expect(outside).toEqual([['stock_quantity'], ['stock_quantity']]);
    expect(noLines).toEqual([Status.AGREE, Status.DIFFERENT]);
    expect(absentStock).toEqual(['stock_quantity']);
    expect(countMissed).toEqual(['source_stock']);
  });

  it('sending the row again repairs columns and counts, not a stock off by order lines', () => {
    // Prepare
    const database = row({ stockQuantity: 10, ordered: 3 });
    const stockOnly = item({ stock_quantity: { N: '2' } });
    const priceToo = item({ stock_quantity: { N: '2' }, price: { S: '1.00' } });
    const countMissed = item({ source_stock: { N: '12' } });

    // Act
    const resend = (model: StockModel, table: TableItem | undefined) =>
      resendChanges(model, compareProduct(model, database, table));

    // Assess
    expect(resend(StockModel.PRODUCTS, stockOnly)).toBe(true);
    expect(resend(StockModel.LEDGER, stockOnly)).toBe(false);
    expect(resend(StockModel.ORDERS, stockOnly)).toBe(false);
    expect(resend(StockModel.ORDERS, priceToo)).toBe(true);
    expect(resend(StockModel.LEDGER, countMissed)).toBe(true);
    expect(resend(StockModel.ORDERS, undefined)).toBe(true);
    expect(resend(StockModel.ORDERS, item({ stock_quantity: { N: '8' } }))).toBe(false);
  });
});

describe('--repair-sql signals', () => {
  const options: SignalOptions = {
    signalTable: 'public.debezium_signal',
    dataSize: 2048,
    format: SignalFormat.CURRENT,
    idPrefix: 'reconcile-20261202T203120Z-3f9a',
  };
  const dataOf = (statement: string) => JSON.parse(/'(\{.*\})'\);$/.exec(statement)?.[1] ?? 'null');
  const idsIn = (filter: string): number[] =>
    [...filter.matchAll(/BETWEEN (\d+) AND (\d+)|(\d+)/g)].flatMap((match) =>
      match[3] !== undefined ? [Number(match[3])] : [Number(match[1]), Number(match[2])],
    );

  it('splits long id lists so that every signal fits the data column, and loses no id', () => {
    // Prepare
    const runs: IdRun[] = Array.from({ length: 1200 }, (_, index) => ({
      first: 1000 + index * 2,
      last: 1000 + index * 2,
      rows: 1,
    }));

    // Act
    const statements = signalStatements(runs, options);

    // Assess
    expect(statements.length).toBeGreaterThan(3);
    const data = statements.map(dataOf);
    for (const [index, statement] of statements.entries()) {
      expect(
        statement.startsWith(
          `INSERT INTO public.debezium_signal (id, type, data) VALUES ('reconcile-20261202T203120Z-3f9a-${index + 1}', 'execute-snapshot', '`,
        ),
      ).toBe(true);
      expect(JSON.stringify(data[index]).length).toBeLessThanOrEqual(2048);
    }
    const filters = data.map((document) => document['additional-conditions'][0].filter as string);
    expect(filters.flatMap(idsIn)).toEqual(runs.map((run) => run.first));
    expect(filters[0]).toMatch(/^\(id IN \(1000,1002,1004,/);
  });

  it('writes runs of three rows or more as a range, and the 2.0–2.3 format on request', () => {
    // Prepare
    const runs: IdRun[] = [
      { first: 5, last: 5, rows: 1 },
      { first: 7, last: 8, rows: 2 },
      { first: 20, last: 90, rows: 40 },
    ];

    // Act
    const [current] = signalStatements(runs, options).map(dataOf);
    const [legacy] = signalStatements(runs, { ...options, format: SignalFormat.LEGACY }).map(dataOf);

    // Assess
    expect(current).toEqual({
      'data-collections': ['public.products'],
      type: 'incremental',
      'additional-conditions': [
        { 'data-collection': 'public.products', filter: '(id IN (5,7,8) OR id BETWEEN 20 AND 90)' },
      ],
    });
    expect(legacy).toEqual({
      'data-collections': ['public.products'],
      type: 'incremental',
      'additional-condition': '(id IN (5,7,8) OR id BETWEEN 20 AND 90)',
    });
  });

  it('signal ids are unique per run and fit VARCHAR(42)', () => {
    // Act
    const prefix = signalIdPrefix(new Date('2026-12-02T20:31:20.123Z'), () => 0.25);

    // Assess
    expect(prefix).toBe('reconcile-20261202T203120Z-4000');
    expect(`${prefix}-99999`.length).toBeLessThanOrEqual(42);
  });
});

describe('reconcile options', () => {
  it('defaults, and every bad value a usage error naming the option', () => {
    // Act
    const defaults = parseReconcileArgs(['--postgres', 'postgres://reader@replica.internal/shop']);
    const attempts = [
      ['--postgres', 'x', '--page-size', '0'],
      ['--postgres', 'postgres://h/db', '--page-size', '20000'],
      ['--postgres', 'postgres://h/db', '--repair-sql', '--signal-table', 'x; DROP TABLE products'],
      ['--postgres', 'postgres://h/db', '--repair-sql', '--signal-data-size', '100'],
      ['--postgres', 'postgres://h/db', '--endpoint', 'moon'],
      ['--postgres', 'postgres://h/db', '--rate', '0'],
    ].map((argv) => {
      try {
        parseReconcileArgs(argv);
        return 'accepted';
      } catch (error) {
        return error instanceof UsageError ? error.message : `not a usage error: ${String(error)}`;
      }
    });

    // Assess
    expect(defaults).toMatchObject({
      endpoint: 'aws',
      stockModel: undefined,
      pageSize: 1000,
      maxListed: 1000,
      json: false,
      repairSql: false,
      signalTable: 'public.debezium_signal',
      signalDataSize: 2048,
      signalFormat: SignalFormat.CURRENT,
    });
    expect(attempts).toEqual([
      "--postgres must be a URL like postgres://user@host:5432/shop, got 'x'",
      '--page-size must be at most 10000, got 20000',
      "--signal-table must be a table name like public.debezium_signal, got 'x; DROP TABLE products'",
      '--signal-data-size must be at least 256, got 100',
      "--endpoint must be local, embedded or aws, got 'moon'",
      "--rate must be a positive integer, got '0'",
    ]);
  });

  it('names the database without credentials', () => {
    // Act
    const names = [
      'postgres://reader:s3cret@replica.internal:6432/shop?sslmode=require',
      'postgresql://replica.internal/shop',
      'postgres:///shop?host=/var/run/postgresql',
    ].map((url) => describePostgresUrl(parsePostgresUrl(url)));

    // Assess
    expect(names).toEqual([
      'replica.internal:6432/shop',
      'replica.internal:5432/shop',
      '/var/run/postgresql:5432/shop',
    ]);
  });
});

describe('reconcile progress and table reads', () => {
  it('redraws one line on a terminal; elsewhere stays quiet for 2 s, then a line every 10 s', () => {
    // Prepare
    let now = 0;
    const tty = capturingIo({ stderrIsTty: true });
    const plain = capturingIo();
    const onTty = new ReconcileProgress(tty.io, () => now);
    const onPipe = new ReconcileProgress(plain.io, () => now);

    // Act
    for (const time of [0, 50, 150, 1_900, 2_100, 5_000, 12_200]) {
      now = time;
      onTty.update(`at ${time}`);
      onPipe.update(`at ${time}`);
    }
    onTty.finish();
    onPipe.finish();

    // Assess
    expect(tty.err).toEqual([
      '\r\u001b[2Kreconcile: at 0',
      '\r\u001b[2Kreconcile: at 150',
      '\r\u001b[2Kreconcile: at 1900',
      '\r\u001b[2Kreconcile: at 2100',
      '\r\u001b[2Kreconcile: at 5000',
      '\r\u001b[2Kreconcile: at 12200',
      '\r\u001b[2K',
    ]);
    expect(plain.err).toEqual(['reconcile: at 2100\n', 'reconcile: at 12200\n']);
    expect([...tty.out, ...plain.out]).toEqual([]);
  });

  it('asks again for unprocessed keys with backoff, and gives up with one line', async () => {
    // Prepare
    const calls: string[][] = [];
    const answers = [
      {
        Responses: { t: [{ product_id: { N: '1' } }] },
        UnprocessedKeys: { t: { Keys: [{ product_id: { N: '2' } }] } },
      },
      { Responses: { t: [{ product_id: { N: '2' } }] } },
    ];
    const client = {
      send: async (command: BatchGetItemCommand) => {
        expect(command).toBeInstanceOf(BatchGetItemCommand);
        const request = command.input.RequestItems?.t;
        expect(request?.ConsistentRead).toBe(true);
        calls.push((request?.Keys ?? []).map((key) => key.product_id?.N ?? ''));
        return answers.shift() ?? { UnprocessedKeys: { t: { Keys: request?.Keys ?? [] } } };
      },
    } as unknown as DynamoDBClient;
    const waits: number[] = [];
    const reader = createTableReader(client, 't', { sleep: async (ms) => void waits.push(ms) });

    // Act
    const items = await reader.getItems(['1', '2']);
    const giveUp = reader.getItems(['3']);

    // Assess
    expect([...items.keys()]).toEqual(['1', '2']);
    expect(calls.slice(0, 2)).toEqual([['1', '2'], ['2']]);
    await expect(giveUp).rejects.toThrow(CliError);
    await expect(reader.getItems(['3'])).rejects.toThrow(
      'DynamoDB left 1 key(s) of table t unprocessed after 10 attempts (throttled: lower --rate or raise the read capacity)',
    );
    expect(waits.every((ms) => ms >= 0 && ms <= 5_000)).toBe(true);
  });

  it('--rate spaces the reads out', async () => {
    // Prepare
    let now = 0;
    const waits: number[] = [];
    const pace = createPacer(100, {
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });

    // Act
    for (let call = 0; call < 3; call += 1) await pace(100);

    // Assess
    expect(waits).toEqual([1000, 1000]);
  });
});
