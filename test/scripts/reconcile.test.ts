import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lambda/config.js';
import { decodeRecord } from '../../lambda/decode/decode-record.js';
import type { ProductUpserted } from '../../lambda/inventory/changes.js';
import { upsertProductGroup } from '../../lambda/store/product-writes.js';
import { storeContextFrom } from '../../lambda/store/store-context-factory.js';
import { runCli } from '../../scripts/cli/run-cli.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { RECONCILE_TOOL } from '../../scripts/reconcile/options.js';
import { reconcileMain } from '../../scripts/reconcile/reconcile.js';
import { productRecordAt } from '../support/debezium.js';
import { capturingIo, startTestPostgres, type TestPostgres } from './support/postgres.js';

const PRODUCTS_TABLE = 'reconcile-products';
const LEDGER_TABLE = 'reconcile-ledger';

interface Row {
  id: number;
  name: string;
  description: string | null;
  price: string;
  stock_quantity: number;
  ordered: number;
}

describe('reconcile against a real PostgreSQL and DynamoDB Local', () => {
  let postgres: TestPostgres;
  let aws: EmbeddedAws;
  let rows: Row[];
  let env: Record<string, string>;

  const run = async (args: string[], table = PRODUCTS_TABLE) => {
    const captured = capturingIo();
    const code = await runCli(
      RECONCILE_TOOL,
      (argv, io) => reconcileMain(argv, io, env),
      ['--endpoint', 'local', '--table', table, ...args],
      captured.io,
    );
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };
  const listedIds = (stdout: string): number[] =>
    [...stdout.matchAll(/^ *(\d+) {2}/gm)].map((match) => Number(match[1]));

  const item = (row: Row, stock: number): Record<string, AttributeValue> => ({
    product_id: { N: String(row.id) },
    name: { S: row.name },
    ...(row.description === null ? {} : { description: { S: row.description } }),
    price: { S: row.price },
    stock_quantity: { N: String(stock) },
    source_stock: { N: String(row.stock_quantity) },
    last_updated: { S: '2026-12-01T10:00:00.000Z' },
  });
  const load = async (table: string, stockOf: (row: Row) => number) => {
    for (let start = 0; start < rows.length; start += 25) {
      const puts = rows
        .slice(start, start + 25)
        .map((row) => ({ PutRequest: { Item: item(row, stockOf(row)) } }));
      await aws.dynamoDb.send(new BatchWriteItemCommand({ RequestItems: { [table]: puts } }));
    }
  };
  const rowOf = (id: number): Row => {
    const row = rows.find((candidate) => candidate.id === id);
    if (row === undefined) throw new Error(`no row ${id}`);
    return row;
  };
  const setAttribute = (table: string, id: number, name: string, value: AttributeValue) =>
    aws.dynamoDb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { product_id: { N: String(id) } },
        UpdateExpression: 'SET #a = :v',
        ExpressionAttributeNames: { '#a': name },
        ExpressionAttributeValues: { ':v': value },
      }),
    );

  beforeAll(async () => {
    [postgres, aws] = await Promise.all([startTestPostgres(), startEmbeddedAws()]);
    env = { ...aws.env };
    const client = await postgres.client();
    try {
      await client.query(`
        INSERT INTO products (name, description, price, stock_quantity)
        SELECT 'Product ' || g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'About ' || g END,
               (g * 1.25)::numeric(10,2), 100 + g % 50
        FROM generate_series(1, 250) g;
        INSERT INTO order_items (order_id, product_id, quantity, unit_price)
        VALUES (1, 2, 3, 2.50), (2, 2, 4, 2.50), (2, 6, 2, 7.50);`);
      rows = (
        await client.query<Row>(`
          SELECT p.id, p.name, p.description, p.price::text AS price, p.stock_quantity,
                 COALESCE((SELECT SUM(quantity) FROM order_items o WHERE o.product_id = p.id), 0)::int AS ordered
          FROM products p ORDER BY p.id`)
      ).rows;
    } finally {
      await client.end();
    }
    await Promise.all([aws.createTable(PRODUCTS_TABLE), aws.createTable(LEDGER_TABLE)]);
    await Promise.all([
      load(PRODUCTS_TABLE, (row) => row.stock_quantity),
      load(LEDGER_TABLE, (row) => row.stock_quantity - row.ordered),
    ]);
  });

  afterAll(async () => {
    await Promise.all([postgres?.stop(), aws?.stop()]);
  });

  it('agrees with a table that mirrors the database, across pages and batches', async () => {
    // Act
    const paged = await run(['--postgres', postgres.url, '--stock-model', 'products', '--page-size', '7']);
    const whole = await run(['--postgres', postgres.url, '--stock-model', 'products']);

    // Assess
    for (const result of [paged, whole]) {
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`In agreement: 250 products row(s), 250 item(s) in ${PRODUCTS_TABLE}.`);
    }
    expect(whole.stdout).toContain('stock model products');
    expect(whole.stdout).toContain('exactly        stock_quantity = products.stock_quantity');
  });

  it('names exactly the drifted products, exits 3, and exits 0 once they agree again', async () => {
    // Prepare
    await setAttribute(PRODUCTS_TABLE, 3, 'price', { S: '0.00' });
    await aws.dynamoDb.send(
      new DeleteItemCommand({ TableName: PRODUCTS_TABLE, Key: { product_id: { N: '5' } } }),
    );
    await setAttribute(PRODUCTS_TABLE, 7, 'stock_quantity', { N: String(rowOf(7).stock_quantity + 1) });
    await aws.dynamoDb.send(
      new PutItemCommand({
        TableName: PRODUCTS_TABLE,
        Item: {
          product_id: { N: '9001' },
          name: { S: 'Ghost' },
          price: { S: '1.00' },
          stock_quantity: { N: '3' },
        },
      }),
    );

    // Act
    const drifted = await run([
      '--postgres',
      postgres.url,
      '--stock-model',
      'products',
      '--page-size',
      '100',
    ]);

    // Assess
    expect(drifted.code).toBe(3);
    expect(listedIds(drifted.stdout)).toEqual([3, 5, 7, 9001]);
    expect(drifted.stdout).toMatch(/ 3 {2}price +"0\.00" +"3\.75"\n/);
    expect(drifted.stdout).toMatch(
      / 5 {2}missing from table +\(no item\) +"Product 5", price "6\.25", stock 105\n/,
    );
    expect(drifted.stdout).toMatch(/ 7 {2}stock_quantity +108 +107\n/);
    expect(drifted.stdout).toMatch(/9001 {2}not in database +"Ghost", price "1\.00", stock 3 +\(no row\)\n/);
    expect(drifted.stdout).toContain(
      '4 product(s) differ: 1 missing from the table, 1 in the table but not in the database, 2 with different ' +
        `values; 247 agree (250 products row(s), 250 item(s) in ${PRODUCTS_TABLE}).`,
    );

    // Prepare
    const row5 = rowOf(5);
    await setAttribute(PRODUCTS_TABLE, 3, 'price', { S: rowOf(3).price });
    await setAttribute(PRODUCTS_TABLE, 7, 'stock_quantity', { N: String(rowOf(7).stock_quantity) });
    await aws.dynamoDb.send(
      new PutItemCommand({ TableName: PRODUCTS_TABLE, Item: item(row5, row5.stock_quantity) }),
    );
    await aws.dynamoDb.send(
      new DeleteItemCommand({ TableName: PRODUCTS_TABLE, Key: { product_id: { N: '9001' } } }),
    );

    // Act
    const fixed = await run(['--postgres', postgres.url, '--stock-model', 'products']);

    // Assess
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('In agreement: 250 products row(s), 250 item(s)');
  });

  it('--repair-sql prints signals for exactly the drifted rows that PostgreSQL accepts into the signal table', async () => {
    // Prepare
    await setAttribute(PRODUCTS_TABLE, 11, 'name', { S: 'Renamed' });
    for (const id of [20, 21, 22, 23]) await setAttribute(PRODUCTS_TABLE, id, 'price', { S: '9.99' });
    await aws.dynamoDb.send(
      new PutItemCommand({
        TableName: PRODUCTS_TABLE,
        Item: {
          product_id: { N: '9002' },
          name: { S: 'Ghost' },
          price: { S: '1.00' },
          stock_quantity: { N: '3' },
        },
      }),
    );

    // Act
    const result = await run(['--postgres', postgres.url, '--stock-model', 'products', '--repair-sql']);

    // Assess
    expect(result.code).toBe(3);
    expect(listedIds(result.stderr)).toEqual([11, 20, 21, 22, 23, 9002]);
    const inserts = result.stdout.split('\n').filter((line) => line.startsWith('INSERT'));
    expect(inserts).toHaveLength(1);
    expect(inserts[0]).toMatch(
      /^INSERT INTO public\.debezium_signal \(id, type, data\) VALUES \('reconcile-\d{8}T\d{6}Z-[0-9a-f]{4}-1', 'execute-snapshot', '(.*)'\);$/,
    );
    const data = JSON.parse(/'(\{.*\})'\);$/.exec(inserts[0] ?? '')?.[1] ?? '');
    expect(data).toEqual({
      'data-collections': ['public.products'],
      type: 'incremental',
      'additional-conditions': [
        { 'data-collection': 'public.products', filter: '(id IN (11) OR id BETWEEN 20 AND 23)' },
      ],
    });
    expect(result.stdout).toContain(
      '-- The snapshot row will set the stock to products.stock_quantity (the row is the stock: exact): 11, 20, 21, 22, 23\n',
    );
    expect(result.stdout).toContain('but not in the database');
    expect(result.stdout).toContain('for good with npm run reconcile -- --delete-missing: 9002');
    const client = await postgres.client();
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)',
      );
      await client.query(result.stdout);
      const signals = await client.query<{ filter: string }>(
        `SELECT data::json -> 'additional-conditions' -> 0 ->> 'filter' AS filter FROM debezium_signal`,
      );
      const selected = await client.query<{ id: number }>(
        `SELECT id FROM products WHERE ${signals.rows[0]?.filter} ORDER BY id`,
      );
      expect(selected.rows.map((row) => row.id)).toEqual([11, 20, 21, 22, 23]);
    } finally {
      await client.query('DROP TABLE IF EXISTS debezium_signal');
      await client.end();
    }

    // Prepare (put back)
    await setAttribute(PRODUCTS_TABLE, 11, 'name', { S: rowOf(11).name });
    for (const id of [20, 21, 22, 23])
      await setAttribute(PRODUCTS_TABLE, id, 'price', { S: rowOf(id).price });
    await aws.dynamoDb.send(
      new DeleteItemCommand({ TableName: PRODUCTS_TABLE, Key: { product_id: { N: '9002' } } }),
    );
  });

  it('--json prints one document with the products, counts, model and what was checked', async () => {
    // Prepare
    await setAttribute(PRODUCTS_TABLE, 30, 'description', { S: 'now described' });

    // Act
    const result = await run(['--postgres', postgres.url, '--stock-model', 'products', '--json']);

    // Assess
    expect(result.code).toBe(3);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({
      inAgreement: false,
      table: PRODUCTS_TABLE,
      database: `127.0.0.1:${postgres.port}/shop`,
      stockModel: 'products',
      counts: { databaseProducts: 250, tableItems: 250, agree: 249, different: 1, differ: 1 },
      products: [
        {
          product_id: 30,
          status: 'different',
          differences: [{ field: 'description', table: 'now described', database: null }],
          resend: true,
        },
      ],
      unlistedProducts: 0,
    });
    expect(document.checked.exact).toContain('stock_quantity = products.stock_quantity');
    await aws.dynamoDb.send(
      new UpdateItemCommand({
        TableName: PRODUCTS_TABLE,
        Key: { product_id: { N: '30' } },
        UpdateExpression: 'REMOVE description',
      }),
    );
  });

  it('ledger: the stock less the order lines exactly; orders: within bounds, the count exactly', async () => {
    // Prepare
    await setAttribute(LEDGER_TABLE, 2, 'stock_quantity', { N: String(rowOf(2).stock_quantity) });
    await setAttribute(LEDGER_TABLE, 4, 'source_stock', { N: '1' });

    // Act
    const ledger = await run(
      ['--postgres', postgres.url, '--stock-model', 'ledger', '--repair-sql'],
      LEDGER_TABLE,
    );
    const orders = await run(['--postgres', postgres.url, '--stock-model', 'orders'], LEDGER_TABLE);

    // Assess
    expect(ledger.code).toBe(3);
    expect(listedIds(ledger.stderr)).toEqual([2, 4]);
    expect(ledger.stderr).toMatch(/ 2 {2}stock_quantity +102 +95 \(102 received − 7 ordered\)\n/);
    expect(ledger.stderr).toMatch(/ 4 {2}source_stock +1 +104 \(the last count applied\)\n/);
    // Sending row 4 again would move its (right) stock by 104 − 1: not sent; the exact values are given instead.
    expect(ledger.stdout).not.toContain('INSERT');
    expect(ledger.stdout).toMatch(
      /-- NOT sent again: .*\n.*Under ledger the stock is exactly\n.*\n-- 4 \(to 104\)\n/,
    );
    expect(ledger.stdout).toMatch(/set the count by a stock-take under orders: 2\n/);
    expect(orders.code).toBe(3);
    expect(listedIds(orders.stdout)).toEqual([4]);
    expect(orders.stdout).toContain('Stock of 2 product(s) with order lines was checked within bounds only');
  });

  it('--delete-missing removes an item without a row for good: an older update arriving later does not bring it back', async () => {
    // Prepare: an item the function created (at LSN 500) whose row is gone, its delete lost
    const table = 'reconcile-delete';
    await Promise.all([aws.createTable(table), aws.createLedgerTable(`${table}-ledger`)]);
    await load(table, (row) => row.stock_quantity);
    const ghost = { id: 9003, name: 'Ghost', description: null, price: '1.00', stock_quantity: 3 };
    const config = {
      ...loadConfig({ ...env, DYNAMODB_TABLE: table, DLQ_S3_BUCKET: 'unused', STOCK_MODEL: 'products' }),
    };
    const store = storeContextFrom(aws.dynamoDb, config);
    const change = (lsn: number, name: string) =>
      decodeRecord(
        productRecordAt('u', { ...ghost, name }, { lastCommit: lsn - 1, lsn, tsMs: Date.now() }, lsn),
        config,
      ) as ProductUpserted;
    await upsertProductGroup(store, [change(500, 'Ghost')]);

    // Act: then an update committed before the row was deleted arrives late
    const deleted = await run(
      ['--postgres', postgres.url, '--stock-model', 'products', '--delete-missing'],
      table,
    );
    const late = await upsertProductGroup(store, [change(900, 'Ghost, renamed')]);
    const again = await run(['--postgres', postgres.url, '--stock-model', 'products'], table);

    // Assess
    expect(deleted.code).toBe(0);
    expect(deleted.stderr).toMatch(
      /--delete-missing: delete recorded at PostgreSQL WAL position [0-9A-F]+\/[0-9A-F]+/,
    );
    expect(deleted.stderr).toMatch(/ {2}deleted +1 +9003\n/);
    expect(late.stale).toHaveLength(1);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`In agreement: 250 products row(s), 250 item(s) in ${table}.`);
  });

  it('--repair-sql never sends a row that would reset a stock with order lines, and a stock within bounds is never called agreeing', async () => {
    // Prepare (orders): product 6's item, written by the Python service (no source_stock), holds the count less
    // its order line of 2 committed after it, the truth; only its name drifted
    const table = 'reconcile-repair';
    await Promise.all([aws.createTable(table), aws.createLedgerTable(`${table}-ledger`)]);
    await load(table, (row) => row.stock_quantity - row.ordered);
    const row6 = rowOf(6);
    const { source_stock: _, ...python } = item({ ...row6, name: 'Old name' }, row6.stock_quantity - 2);
    await aws.dynamoDb.send(new PutItemCommand({ TableName: table, Item: python }));
    const config = loadConfig({
      ...env,
      DYNAMODB_TABLE: table,
      DLQ_S3_BUCKET: 'unused',
      STOCK_MODEL: 'orders',
    });
    const store = storeContextFrom(aws.dynamoDb, config);
    const orders = ['--postgres', postgres.url, '--stock-model', 'orders'];

    // Act: the repair, then the connector's incremental snapshot of what it selects, through the function
    const repair = await run([...orders, '--repair-sql'], table);
    const selected = [...repair.stdout.matchAll(/id IN \(([\d,]+)\)/g)].flatMap((match) =>
      (match[1] ?? '').split(',').map(Number),
    );
    for (const id of selected) {
      const row = rowOf(id);
      const snapshotRow = productRecordAt(
        'r',
        {
          id,
          name: row.name,
          description: row.description,
          price: row.price,
          stock_quantity: row.stock_quantity,
        },
        { lastCommit: 900_000, lsn: 900_100, tsMs: Date.now() },
        id,
      );
      await upsertProductGroup(store, [decodeRecord(snapshotRow, config) as ProductUpserted]);
    }
    const after = await run(orders, table);
    await setAttribute(table, 6, 'name', { S: row6.name });
    const bounded = await run([...orders, '--json'], table);

    // Assess: the line stays counted and the drift stays visible; bounded is reported as bounded
    expect(selected).not.toContain(6);
    expect(repair.stdout).toMatch(/-- NOT sent again: .*\n.*stock-take in the shop .*\n.*\n-- 6\n/);
    expect(after.code).toBe(3);
    expect(listedIds(after.stdout)).toEqual([6]);
    expect(bounded.code).toBe(0);
    const document = JSON.parse(bounded.stdout);
    expect(document).toMatchObject({ inAgreement: false, withinBoundsIds: [2, 6] });
    expect(document.counts).toMatchObject({ agree: 248, withinBounds: 2 });
    const text = await run(orders, table);
    expect(text.stdout).not.toContain('In agreement');
    expect(text.stdout).toContain('No difference found, but only 248 product(s) agree');
  });

  it('npm run reconcile exits 3 as a process when the table drifted', async () => {
    // Prepare
    await setAttribute(PRODUCTS_TABLE, 40, 'price', { S: '0.01' });
    const args = [
      '--postgres',
      postgres.url,
      '--endpoint',
      'local',
      '--table',
      PRODUCTS_TABLE,
      '--stock-model',
      'products',
    ];

    // Act
    const result = await promisify(execFile)('npx', ['tsx', 'scripts/reconcile.ts', ...args], {
      env: { ...process.env, ...env },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

    // Assess
    expect(result.code).toBe(3);
    expect(listedIds(result.stdout)).toEqual([40]);
    await setAttribute(PRODUCTS_TABLE, 40, 'price', { S: rowOf(40).price });
  });

  it('exits 1 with one line when the database is unreachable or lacks the tables', async () => {
    // Prepare
    const closedPort = postgres.port + 1 === 65536 ? postgres.port - 1 : postgres.port + 1;

    // Act
    const unreachable = await run(['--postgres', `postgres://postgres@127.0.0.1:${closedPort}/shop`]);
    const noTables = await run(['--postgres', postgres.urlOf('postgres')]);

    // Assess
    expect(unreachable).toEqual({
      code: 1,
      stdout: '',
      stderr: `reconcile: cannot connect to PostgreSQL at 127.0.0.1:${closedPort}/shop: ECONNREFUSED\n`,
    });
    expect(noTables).toEqual({
      code: 1,
      stdout: '',
      stderr: `reconcile: PostgreSQL at 127.0.0.1:${postgres.port}/postgres: relation "public.products" does not exist (42P01)\n`,
    });
  });

  it('exits 2 on a bad command line, 0 on --help', async () => {
    // Act
    const results = await Promise.all([
      run(['--postgres', postgres.url, '--stock-model', 'fifo']),
      run(['--postgress', postgres.url]),
      run([]),
      run(['--postgres', 'mysql://localhost/shop']),
      run(['--postgres', postgres.url, '--signal-table', 'x']),
    ]);
    const help = await run(['--help']);

    // Assess
    expect(results.map((result) => [result.code, result.stderr])).toEqual([
      [
        2,
        "reconcile: --stock-model must be one of orders, products, ledger, got 'fifo' (see npm run reconcile -- --help)\n",
      ],
      [2, "reconcile: unknown option '--postgress' (see npm run reconcile -- --help)\n"],
      [
        2,
        'reconcile: --postgres <connection-url> is required (the shop database, ideally a read replica) (see npm run reconcile -- --help)\n',
      ],
      [
        2,
        "reconcile: --postgres must be a postgres:// or postgresql:// URL, got 'mysql://…' (see npm run reconcile -- --help)\n",
      ],
      [2, 'reconcile: --signal-table needs --repair-sql (see npm run reconcile -- --help)\n'],
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run reconcile -- --postgres <connection-url>');
  });
});
