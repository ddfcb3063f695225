import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpiryHandler } from '../../lambda/create-expiry-handler.js';
import type { LedgerStreamRecord } from '../../lambda/expiry/expired-entries.js';
import { orderLineEntry } from '../../lambda/inventory/order-lines.js';
import { positionKey } from '../../lambda/inventory/position.js';
import { createDeadLetterStore } from '../../lambda/store/dead-letter.js';
import { storeContextFrom } from '../../lambda/store/store-context-factory.js';
import { createLogger, createMetrics } from '../../lambda/telemetry/powertools.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { createLambdaContext } from '../../scripts/local/lambda-context.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import {
  BASE_TS_MS,
  mskEvent,
  ORDER_ITEMS_TOPIC,
  orderItemRecordAt,
  productRecordAt,
} from '../support/debezium.js';

describe('pending order lines whose entry expires', () => {
  let aws: EmbeddedAws;
  let service: LocalService;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    service = await startLocalService({ aws, env: { DYNAMODB_TABLE: 'expiry', DLQ_S3_BUCKET: 'expiry' } });
  });

  afterAll(async () => {
    await service.stop();
    await aws.stop();
  });

  const at = (lsn: number) => ({ lastCommit: lsn - 1, lsn, tsMs: BASE_TS_MS + lsn });
  const position = (lsn: number) =>
    positionKey(
      { lsn: BigInt(lsn), sequence: { lastCommitLsn: BigInt(lsn - 1), lsn: BigInt(lsn) }, sourceTsMs: 1 },
      { snapshot: false, epoch: 0, offset: 0 },
    );

  /** What DynamoDB Streams delivers when TTL removes the entry: its old image, by the service principal. */
  const ttlRemovalOf = async (
    productId: number,
    orderItemId: number,
    lsn: number,
  ): Promise<LedgerStreamRecord> => {
    const { Item } = await aws.dynamoDb.send(
      new GetItemCommand({
        TableName: service.config.ledgerTableName,
        Key: {
          product_id: { N: String(productId) },
          entry: { S: orderLineEntry({ position: position(lsn), orderItemId }) },
        },
      }),
    );
    expect(Item).toBeDefined();
    return {
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: { OldImage: Item as NonNullable<LedgerStreamRecord['dynamodb']>['OldImage'] },
    };
  };

  const expiryHandler = () =>
    createExpiryHandler({
      store: storeContextFrom(service.aws.dynamoDb, service.config),
      deadLetters: createDeadLetterStore(service.aws.s3, service.config.deadLetterBucket),
      logger: createLogger(),
      metrics: createMetrics(),
    });

  it('dead-letters the line of a product that never arrived, with the record as Kafka delivered it', async () => {
    // Prepare
    const line = orderItemRecordAt({ id: 501, order_id: 1, product_id: 9001, quantity: 2 }, at(500), 12, 1);
    await service.invoke(mskEvent([line]));
    const removal = await ttlRemovalOf(9001, 501, 500);

    // Act
    const summary = await expiryHandler()({ Records: [removal] }, createLambdaContext());

    // Assess
    expect(summary).toEqual({ counted: 0, deadLettered: 1 });
    const letters = await service.listDeadLetters();
    expect(letters.map(({ key }) => key)).toEqual([`${ORDER_ITEMS_TOPIC}/1/12.json`]);
    expect(letters[0]?.letter).toMatchObject({
      error: { code: 'UNKNOWN_PRODUCT' },
      record: { topic: ORDER_ITEMS_TOPIC, partition: 1, offset: 12, value: line.value, key: line.key },
    });
  });

  it('settles quietly the line of a product that arrived after it', async () => {
    // Prepare
    const line = orderItemRecordAt({ id: 601, order_id: 1, product_id: 9002, quantity: 2 }, at(610), 13, 1);
    await service.invoke(mskEvent([line]));
    const row = { id: 9002, name: 'Late', description: null, price: '1.00', stock_quantity: 10 };
    await service.invoke(mskEvent([productRecordAt('c', row, at(600), 0)]));
    const removal = await ttlRemovalOf(9002, 601, 610);

    // Act
    const summary = await expiryHandler()({ Records: [removal] }, createLambdaContext());

    // Assess
    expect(summary).toEqual({ counted: 1, deadLettered: 0 });
    expect((await service.scanInventory()).find((item) => item.product_id === 9002)?.stock_quantity).toBe(8);
    expect((await service.listDeadLetters()).map(({ key }) => key)).not.toContain(
      `${ORDER_ITEMS_TOPIC}/1/13.json`,
    );
  });
});
