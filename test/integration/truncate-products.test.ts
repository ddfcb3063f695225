import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import {
  BASE_TS_MS,
  kafkaRecord,
  mskEvent,
  orderItemRecordAt,
  PRODUCTS_TOPIC,
  productRecordAt,
  sourceBlock,
  type TestKafkaRecord,
} from '../support/debezium.js';

const at = (lsn: number) => ({ lastCommit: lsn - 5, lsn, tsMs: BASE_TS_MS + lsn });

/** `TRUNCATE products` as the Postgres connector writes it: no key, no row images, op `t`. */
const truncateAt = (lsn: number, offset: number, partition = 0): TestKafkaRecord =>
  kafkaRecord(PRODUCTS_TOPIC, partition, offset, {
    before: null,
    after: null,
    source: sourceBlock('products', at(lsn)),
    op: 't',
    ts_ms: BASE_TS_MS + lsn + 5,
    transaction: null,
  });

const row = (id: number, stock: number, name = `P${id}`) => ({
  id,
  name,
  description: null,
  price: '2.00',
  stock_quantity: stock,
});

describe('TRUNCATE products (SOURCE_SCHEMA.md: final like a delete; a later create brings one back)', () => {
  let aws: EmbeddedAws;
  const services = new Map<string, LocalService>();
  let tables = 0;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });

  afterAll(async () => {
    for (const service of services.values()) await service.stop();
    await aws.stop();
  });

  const serviceFor = async (model: StockModel): Promise<LocalService> => {
    tables += 1;
    const service = await startLocalService({
      aws,
      env: { DYNAMODB_TABLE: `truncate-${tables}`, DLQ_S3_BUCKET: `truncate-${tables}`, STOCK_MODEL: model },
    });
    services.set(`${tables}`, service);
    return service;
  };

  it.each([
    ['orders', 'the TRUNCATE consumed before the late records'],
    ['orders', 'the TRUNCATE consumed last'],
    ['ledger', 'the TRUNCATE consumed before the late records'],
    ['products', 'the TRUNCATE consumed last'],
  ] as const)('under STOCK_MODEL=%s, with %s, the table is what Postgres holds', async (model, order) => {
    // Prepare: products 1–3 exist; TRUNCATE at LSN 500; product 4 inserted at 600 and 2 re-inserted at 700.
    // Late records: an update of 3 committed at 300 (before the TRUNCATE) and an order line of 1 at 310.
    const service = await serviceFor(model as StockModel);
    await service.invoke(
      mskEvent([
        productRecordAt('c', row(1, 10), at(100), 0, 1),
        productRecordAt('c', row(2, 20), at(101), 0, 2),
      ]),
    );
    await service.invoke(mskEvent([productRecordAt('c', row(3, 30), at(102), 0, 3)]));
    const truncate = mskEvent([truncateAt(500, 0)]);
    const afterIt = mskEvent([
      productRecordAt('c', row(4, 40), at(600), 1, 1),
      productRecordAt('c', row(2, 25, 'P2 again'), at(700), 1, 2),
    ]);
    const late = [
      mskEvent([productRecordAt('u', row(3, 31), at(300), 1, 3)]),
      mskEvent([orderItemRecordAt({ id: 9, order_id: 1, product_id: 1, quantity: 1 }, at(310), 0, 0)]),
    ];

    // Act
    if (order === 'the TRUNCATE consumed last') {
      await service.invoke(afterIt);
      for (const event of late) await service.invoke(event);
      await service.invoke(truncate);
    } else {
      await service.invoke(truncate);
      for (const event of late) await service.invoke(event);
      await service.invoke(afterIt);
    }
    // Redelivered: changes nothing
    await service.invoke(truncate);
    for (const event of late) await service.invoke(event);

    // Assess
    const items = (await service.scanInventory()).map((item) => ({
      id: item.product_id,
      name: item.name,
      stock: item.stock_quantity,
    }));
    expect(items.sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      { id: 2, name: 'P2 again', stock: 25 },
      { id: 4, name: 'P4', stock: 40 },
    ]);
  });

  it('dead-letters a TRUNCATE of products whose position cannot be read', async () => {
    // Prepare
    const service = await serviceFor('orders');
    await service.invoke(mskEvent([productRecordAt('c', row(1, 10), at(100), 0, 1)]));
    const unordered = kafkaRecord(PRODUCTS_TOPIC, 0, 5, {
      before: null,
      after: null,
      source: {},
      op: 't',
      ts_ms: 1,
    });

    // Act
    const result = await service.invoke(mskEvent([unordered]));

    // Assess
    expect(result.counts).toMatchObject({ DLQWrites: 1 });
    expect((await service.listDeadLetters())[0]?.letter.error.code).toBe('MISSING_FIELD');
    expect(await service.scanInventory()).toHaveLength(1);
  });
});
