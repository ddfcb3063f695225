import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const bytes = (text: string): number[] => [...Buffer.from(text, 'utf8')];

/**
 * `UPDATE products SET id = 11 WHERE id = 10` as the Postgres connector writes it: a delete of key 10 with
 * header `__debezium.newkey`, and a create of key 11 with `__debezium.oldkey` whose unchanged TOASTed
 * description is the placeholder; same position, partitions of their own keys.
 */
const keyChange = (oldId: number, newId: number, lsn: number, render: (id: number) => string) => {
  const deleted: TestKafkaRecord = {
    ...kafkaRecord(
      PRODUCTS_TOPIC,
      1,
      7,
      {
        before: { id: oldId, name: null, description: null, price: null, stock_quantity: null },
        after: null,
        source: sourceBlock('products', at(lsn)),
        op: 'd',
        ts_ms: BASE_TS_MS + lsn + 5,
      },
      { id: oldId },
    ),
    headers: [{ '__debezium.newkey': bytes(render(newId)) }] as never,
  };
  const created: TestKafkaRecord = {
    ...kafkaRecord(
      PRODUCTS_TOPIC,
      2,
      3,
      {
        before: null,
        after: {
          id: newId,
          name: 'Desk',
          description: '__debezium_unavailable_value',
          price: '120.00',
          stock_quantity: 30,
          created_at: BASE_TS_MS * 1000,
          updated_at: (BASE_TS_MS + lsn) * 1000,
        },
        source: sourceBlock('products', at(lsn)),
        op: 'c',
        ts_ms: BASE_TS_MS + lsn + 5,
      },
      { id: newId },
    ),
    headers: [{ '__debezium.oldkey': bytes(render(oldId)) }] as never,
  };
  return { deleted, created };
};

const LONG_DESCRIPTION = 'Solid oak. '.repeat(400);

describe('a primary-key change (SOURCE_SCHEMA.md: the new key takes the old key’s unchanged TOASTed columns)', () => {
  let aws: EmbeddedAws;
  let service: LocalService;
  let next = 10;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    service = await startLocalService({
      aws,
      env: { DYNAMODB_TABLE: 'key-change', DLQ_S3_BUCKET: 'key-change' },
    });
  });

  afterAll(async () => {
    await service.stop();
    await aws.stop();
  });

  it.each([
    ['the delete first, headers from the JSON converter', true, (id: number) => JSON.stringify({ id })],
    ['the create first, headers from the JSON converter', false, (id: number) => JSON.stringify({ id })],
    ['the delete first, Connect’s SimpleHeaderConverter', true, (id: number) => `Struct{id=${id}}`],
    ['the create first, Connect’s SimpleHeaderConverter', false, (id: number) => `Struct{id=${id}}`],
  ])('%s', async (_, deleteFirst, render) => {
    // Prepare: product old with a long description and an order line before the key change
    const oldId = next++ * 100;
    const newId = oldId + 1;
    const row = {
      id: oldId,
      name: 'Desk',
      description: LONG_DESCRIPTION,
      price: '120.00',
      stock_quantity: 30,
    };
    await service.invoke(mskEvent([productRecordAt('c', row, at(100), 0, 1)]));
    await service.invoke(
      mskEvent([
        orderItemRecordAt({ id: oldId, order_id: 1, product_id: oldId, quantity: 2 }, at(150), 0, 0),
      ]),
    );
    const { deleted, created } = keyChange(oldId, newId, 200, render);

    // Act
    for (const record of deleteFirst ? [deleted, created] : [created, deleted]) {
      await service.invoke(mskEvent([record]));
    }

    // Assess
    const items = await service.scanInventory();
    expect(items.find((item) => item.product_id === oldId)).toBeUndefined();
    expect(items.find((item) => item.product_id === newId)).toMatchObject({
      name: 'Desk',
      description: LONG_DESCRIPTION,
      stock_quantity: 30,
    });
  });
});
