import { readFileSync } from 'node:fs';
import { paginateScan } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../scripts/cli/run-cli.js';
import { scanTable } from '../../scripts/inventory/inventory.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { REDRIVE_TOOL } from '../../scripts/redrive/options.js';
import { redriveMain } from '../../scripts/redrive/redrive.js';
import {
  mskEvent,
  ORDER_ITEMS_TOPIC,
  orderItemRecord,
  PRODUCTS_TOPIC,
  productRecord,
  type TestKafkaRecord,
} from '../support/debezium.js';
import { recordingIo } from '../support/replay-harness.js';

type JsonObject = Record<string, unknown>;

const fixture = (name: string): JsonObject =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/on-failure/${name}.json`, import.meta.url), 'utf8'),
  ) as JsonObject;

/**
 * A fixture object with its batch rebuilt from `records` (recent source times, so nothing is past the lag
 * bound): the payload as the escaped JSON string Lambda writes, and recordsInfo, batchSize and payloadSize
 * to match.
 */
const withBatch = (name: string, records: readonly TestKafkaRecord[]): string => {
  const object = fixture(name);
  const payload = JSON.stringify(mskEvent(records));
  const recordsInfo: Record<string, JsonObject> = {};
  for (const record of records) {
    const mapKey = `${record.topic}-${record.partition}`;
    const at = new Date(record.timestamp).toISOString();
    recordsInfo[mapKey] = {
      firstRecordOffset: String(recordsInfo[mapKey]?.firstRecordOffset ?? record.offset),
      lastRecordOffset: String(record.offset),
      firstRecordTimestamp: recordsInfo[mapKey]?.firstRecordTimestamp ?? at,
      lastRecordTimestamp: at,
    };
  }
  const batch = object.KafkaBatchInfo as JsonObject;
  return JSON.stringify({
    ...object,
    KafkaBatchInfo: {
      ...batch,
      batchSize: records.length,
      payloadSize: Buffer.byteLength(payload),
      recordsInfo,
    },
    payload,
  });
};

const PRODUCTS_ESM = '3f1c2b9e-7d4a-4c1e-9b2f-5a6d8e0c1b23';
const ORDER_ITEMS_ESM = '1c9e4d2a-9b8f-4e6d-8c5b-1f2e3d4c5b6a';

const KEYS = {
  products: `aws/lambda/${PRODUCTS_ESM}/${PRODUCTS_TOPIC}-0/2025/06/14/2025-06-14T09.42.31-0b6f2d4e-1c3a-4e5f-8a7b-9c0d1e2f3a4b`,
  orderItems: `aws/lambda/${ORDER_ITEMS_ESM}/${ORDER_ITEMS_TOPIC}-1/2025/06/14/2025-06-14T09.42.33-5d7e9f1a-2b4c-4d6e-9f8a-0b1c2d3e4f5a`,
  tooLarge: `aws/lambda/${ORDER_ITEMS_ESM}/${ORDER_ITEMS_TOPIC}-0/2025/06/14/2025-06-14T10.05.12-8e0a2c4b-6d8f-4a1c-b3e5-7f9a1b3c5d7e`,
};

const productsObject = () =>
  withBatch('products-retry-attempts-exhausted', [
    productRecord(
      'c',
      { id: 1001, name: 'Wireless Mouse', description: 'Ergonomic', price: '24.99', stock_quantity: 25 },
      41,
    ),
    productRecord(
      'c',
      { id: 1002, name: 'USB-C Hub', description: null, price: '39.50', stock_quantity: 12 },
      42,
    ),
  ]);

const orderItemsObject = () =>
  withBatch('order-items-retry-attempts-exhausted', [
    orderItemRecord({ id: 7001, order_id: 5001, product_id: 1001, quantity: 2 }, 307, 1),
    orderItemRecord({ id: 7002, order_id: 5001, product_id: 1002, quantity: 3 }, 308, 1),
  ]);

/** The fixture exactly as it is: no payload. */
const tooLargeObject = () => JSON.stringify(fixture('order-items-payload-size-exceeded'));

describe('npm run redrive on the embedded services', () => {
  let aws: EmbeddedAws;
  let serial = 0;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });

  afterAll(async () => {
    await aws?.stop();
  });

  /** A fresh inventory table, its ledger and an on-failure bucket; the environment the tool runs with. */
  const setup = async () => {
    serial += 1;
    const table = `redrive-${serial}`;
    const bucket = `redrive-on-failure-${serial}`;
    await aws.createTable(table);
    await aws.createLedgerTable(`${table}-ledger`);
    await aws.createBucket(bucket);
    const put = async (objects: Record<string, string>) => {
      for (const [Key, Body] of Object.entries(objects)) {
        await aws.s3.send(
          new PutObjectCommand({ Bucket: bucket, Key, Body, ContentType: 'application/json' }),
        );
      }
    };
    const keys = async () => {
      const found: string[] = [];
      for await (const page of paginateListObjectsV2({ client: aws.s3 }, { Bucket: bucket })) {
        for (const { Key } of page.Contents ?? []) if (Key !== undefined) found.push(Key);
      }
      return found.sort();
    };
    /** Every item of both tables, bookkeeping attributes included, in a stable order. */
    const tables = async () => {
      const items: string[] = [];
      for (const TableName of [table, `${table}-ledger`]) {
        for await (const page of paginateScan({ client: aws.dynamoDb }, { TableName })) {
          items.push(...(page.Items ?? []).map((item) => `${TableName} ${JSON.stringify(item)}`));
        }
      }
      return items.sort();
    };
    const run = async (...argv: string[]) => {
      const io = recordingIo();
      const env = { ...aws.env, DYNAMODB_TABLE: table };
      const code = await runCli(
        REDRIVE_TOOL,
        (args, cliIo) => redriveMain(args, cliIo, env),
        ['--endpoint', 'local', '--bucket', bucket, ...argv],
        io,
      );
      return { code, out: io.text(), err: io.err.join('') };
    };
    return { table, bucket, put, keys, tables, run };
  };

  it('--dry-run shows what each object holds and plans every record, writing nothing', async () => {
    // Prepare
    const { put, keys, tables, run } = await setup();
    await put({ [KEYS.products]: productsObject(), [KEYS.orderItems]: orderItemsObject() });

    // Act
    const { code, out } = await run('--dry-run');

    // Assess
    expect(code).toBe(0);
    expect(out).toContain('2 object(s) listed, 2 invocation record(s) selected');
    expect(out).toContain(`would redrive      ${KEYS.products}`);
    expect(out).toContain(
      `mapping ${PRODUCTS_ESM}  RetryAttemptsExhausted after 11 invocation(s) (Unhandled)  at 2025-06-14T09:42:31.877Z`,
    );
    expect(out).toMatch(/batch of 2 record\(s\), [\d,]+ bytes; payload: 2 record\(s\)/);
    expect(out).toMatch(/dbserver1\.public\.products-0 {2}offsets 41\.\.42 {2}\S+ \.\. \S+ {2}2 in payload/);
    expect(out).toMatch(/dbserver1\.public\.products-0@41 +upsert +product 1001, stock 25/);
    expect(out).toMatch(
      /dbserver1\.public\.order_items-1@308 +order-line +order item 7002: product 1002, quantity 3/,
    );
    expect(out).toContain('would run the handler on 2 record(s): order-line 2');
    expect(out).toContain('Summary (dry run: nothing was changed)');
    // Products batches are redriven first, whatever the listing order.
    expect(out.indexOf(KEYS.products)).toBeLessThan(out.indexOf(KEYS.orderItems));
    expect(await tables()).toEqual([]);
    expect(await keys()).toEqual([KEYS.products, KEYS.orderItems].sort());
  });

  it('applies through the handler, moves objects to redriven/, and a second redrive changes nothing', async () => {
    // Prepare
    const { table, put, keys, tables, run } = await setup();
    await put({ [KEYS.orderItems]: orderItemsObject(), [KEYS.products]: productsObject() });

    // Act
    const first = await run();
    const afterFirst = await tables();
    const movedKeys = await keys();
    await put({ [KEYS.orderItems]: orderItemsObject(), [KEYS.products]: productsObject() });
    const second = await run('--keep');

    // Assess
    expect(first.code).toBe(0);
    expect(first.out).toContain(`redriven           ${KEYS.products}`);
    expect(first.out).toMatch(
      /redriven in \d+ ms: counts \(non-zero\): RecordsProcessed 2, ProductsUpserted 2/,
    );
    expect(first.out).toMatch(/RecordsProcessed 2, StockDecremented 2/);
    expect(first.out).toContain(`moved to redriven/${KEYS.orderItems}`);
    const stock = (await scanTable(aws.dynamoDb, table)).map((item) => [
      item.product_id,
      item.stock_quantity,
    ]);
    expect(stock).toEqual([
      [1001, 23],
      [1002, 9],
    ]);
    expect(movedKeys).toEqual([`redriven/${KEYS.orderItems}`, `redriven/${KEYS.products}`].sort());

    expect(second.code).toBe(0);
    expect(second.out).toContain('2 object(s) listed, 2 invocation record(s) selected');
    expect(second.out).toMatch(
      /redriven in \d+ ms: counts \(non-zero\): RecordsProcessed 2, DuplicatesSkipped 2/,
    );
    expect(second.out).not.toContain('StockDecremented');
    expect(await tables()).toEqual(afterFirst);
    // --keep: the redriven objects stay where they were put.
    expect(await keys()).toEqual([...movedKeys, KEYS.orderItems, KEYS.products].sort());
  });

  it('an object without the payload: nothing fetched, the operator is told what to re-read, exit 3', async () => {
    // Prepare
    const { put, keys, tables, run } = await setup();
    await put({ [KEYS.tooLarge]: tooLargeObject(), [KEYS.products]: productsObject() });

    // Act
    const { code, out, err } = await run();

    // Assess
    expect(code).toBe(3);
    expect(err).toBe('redrive: 1 object(s) could not be redriven (1 NO_PAYLOAD); see the report\n');
    expect(out).toContain(`no payload         ${KEYS.tooLarge}`);
    expect(out).toContain('MaximumPayloadSizeExceeded after 1 invocation(s)');
    expect(out).toContain(
      'batch of 100 record(s), 6,815,744 bytes; payload missing: the object has no payload',
    );
    expect(out).toContain(
      'dbserver1.public.order_items partition 0: offsets 1200..1249 (50 record(s) at most), 2025-06-14T10:05:01.002Z .. 2025-06-14T10:05:09.871Z',
    );
    expect(out).toContain(
      'kcat -C -b b-1.shop-cdc.a1b2c3.c3.kafka.us-east-1.amazonaws.com:9098,b-2.shop-cdc.a1b2c3.c3.kafka.us-east-1.amazonaws.com:9098 -t dbserver1.public.order_items -p 0 -o 1200 -c 50 -e -J > redrive-dbserver1.public.order_items-0.jsonl',
    );
    expect(out).toContain(
      'dbserver1.public.order_items partition 2: offsets 980..1029 (50 record(s) at most)',
    );
    expect(out).toContain(
      'npm run make-event -- --topic dbserver1.public.order_items --partition 2 --offset 980 --file redrive-dbserver1.public.order_items-2.jsonl --out redrive-dbserver1.public.order_items-2.json',
    );
    expect(out).toMatch(
      /npm run invoke -- redrive-dbserver1\.public\.order_items-2\.json --endpoint local --bucket redrive-on-failure-\d+ --timeout 900/,
    );
    expect(out).toMatch(/no payload +1 +re-read from Kafka/);
    // The object with the payload was redriven all the same; the one without stays where Lambda put it.
    expect(await keys()).toEqual([KEYS.tooLarge, `redriven/${KEYS.products}`]);
    expect((await tables()).length).toBeGreaterThan(0);
  });

  it('--topic and --key select objects, --json prints one document; a --key with no object is exit 3', async () => {
    // Prepare
    const { put, run } = await setup();
    await put({
      [KEYS.products]: productsObject(),
      [KEYS.orderItems]: orderItemsObject(),
      [KEYS.tooLarge]: tooLargeObject(),
    });

    // Act
    const byTopic = await run('--dry-run', '--topic', PRODUCTS_TOPIC);
    const byKey = await run('--dry-run', '--json', '--key', KEYS.orderItems);
    const bySince = await run('--dry-run', '--since', '2025-06-14T10:00:00Z');
    const missing = await run('--dry-run', '--key', 'aws/lambda/none');

    // Assess
    expect(byTopic.code).toBe(0);
    expect(byTopic.out).toContain('3 object(s) listed, 1 invocation record(s) selected');
    expect(byTopic.out).toContain(KEYS.products);
    expect(byTopic.out).not.toContain(KEYS.orderItems);
    expect(byTopic.out).toMatch(/skipped by filter +2/);

    expect(byKey.code).toBe(0);
    const report = JSON.parse(byKey.out) as {
      listed: number;
      objects: Array<{ key: string; outcome: string; plan: Array<{ kind: string; offset: number }> }>;
    };
    expect(report.listed).toBe(1);
    expect(report.objects.map(({ key, outcome }) => [key, outcome])).toEqual([
      [KEYS.orderItems, 'WOULD_REDRIVE'],
    ]);
    expect(report.objects[0]?.plan.map(({ kind, offset }) => [kind, offset])).toEqual([
      ['order-line', 307],
      ['order-line', 308],
    ]);

    // Only the object Lambda wrote at 10:05 is at or after 10:00; it has no payload.
    expect(bySince.code).toBe(3);
    expect(bySince.out).toContain('3 object(s) listed, 1 invocation record(s) selected');
    expect(bySince.out).toContain(KEYS.tooLarge);

    expect(missing.code).toBe(3);
    expect(missing.out).toContain('not found          aws/lambda/none');
  });

  it('bad command lines are exit 2 with one line and a pointer to --help', async () => {
    // Prepare
    const { run } = await setup();

    // Act
    const results = await Promise.all([
      run('--bogus'),
      run('--since', 'yesterday'),
      run('--key', 'redriven/aws/lambda/x'),
      run('--endpoint', 'moon'),
      run('--topic'),
    ]);

    // Assess
    expect(results.map((result) => result.code)).toEqual([2, 2, 2, 2, 2]);
    for (const { err } of results) expect(err).toMatch(/^redrive: .+ \(see npm run redrive -- --help\)\n$/);
    expect(results[1]?.err).toContain(
      "--since must be an ISO-8601 time like 2025-01-15T10:00:00Z, got 'yesterday'",
    );
    expect(results[2]?.err).toContain('is under redriven/: that object was redriven already');
  });
});
