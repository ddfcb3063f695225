import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import { captureOutput, emittedMetrics } from '../support/captured-output.js';
import {
  kafkaRecord,
  mskEvent,
  ORDER_ITEMS_TOPIC,
  orderItemRecordAt,
  productRecordAt,
  stampedWithEpoch,
  type TestKafkaRecord,
} from '../support/debezium.js';
import { at, laptop, order } from '../support/scenario-rows.js';

/**
 * Scenarios from issue 10, each through the real handler on DynamoDB Local: the table must equal the serial
 * application of the source's commits in commit order, under the declared stock model, whatever Kafka does.
 */

describe('source semantics through the handler', () => {
  let aws: EmbeddedAws;
  let run = 0;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });
  afterAll(async () => {
    await aws.stop();
  });

  const service = async (stockModel = 'orders', env: Record<string, string> = {}): Promise<LocalService> => {
    run += 1;
    return startLocalService({
      aws,
      env: {
        DYNAMODB_TABLE: `semantics-${run}`,
        DLQ_S3_BUCKET: `semantics-${run}-dlq`,
        STOCK_MODEL: stockModel,
        ...env,
      },
    });
  };

  const deliver = async (target: LocalService, ...batches: TestKafkaRecord[][]) => {
    for (const batch of batches) await target.invoke(mskEvent(batch));
  };

  const stockOf = async (target: LocalService, productId = 1) =>
    (await target.scanInventory()).find((item) => item.product_id === productId)?.stock_quantity;

  describe('deletes are final', () => {
    it('keeps a product deleted when an older update, an old snapshot row or an old create comes late', async () => {
      // Prepare
      const target = await service();
      const snapshot = productRecordAt('r', laptop(50), at(null, 100), 0);
      const create = productRecordAt('c', laptop(100), at(null, 200), 1);
      const update = productRecordAt('u', laptop(100, '999.00'), at(210, 220), 2);
      const remove = productRecordAt('d', laptop(0), at(230, 240), 3);

      // Act
      await deliver(target, [snapshot, create, update, remove], [update], [snapshot], [create]);
      await deliver(target, [{ ...update, offset: 40 }]);

      // Assess
      expect(await target.scanInventory()).toEqual([]);
      expect(await target.listDeadLetters()).toEqual([]);
      await target.stop();
    });

    it('keeps it deleted when the delete arrives before the create it follows', async () => {
      const target = await service();
      await deliver(target, [productRecordAt('d', laptop(0), at(230, 240), 3)]);
      await deliver(target, [productRecordAt('c', laptop(100), at(null, 200), 1)]);
      expect(await target.scanInventory()).toEqual([]);
      await target.stop();
    });

    it('does not decrement a deleted product with late order lines, and a re-created id starts afresh', async () => {
      // Prepare
      const target = await service();
      const create = productRecordAt('c', laptop(100), at(null, 200), 0);
      const oldOrder = orderItemRecordAt(order(1, 5), at(210, 215), 0);
      const remove = productRecordAt('d', laptop(0), at(220, 230), 1);
      const recreate = productRecordAt('c', { ...laptop(40), name: 'Laptop 2' }, at(300, 310), 2);
      const newOrder = orderItemRecordAt(order(2, 3), at(320, 325), 1);

      // Act: the old order line comes only after the delete, and again after the re-create
      await deliver(
        target,
        [create, remove],
        [oldOrder],
        [recreate],
        [oldOrder, newOrder],
        [{ ...oldOrder, offset: 7 }],
      );

      // Assess
      const items = await target.scanInventory();
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ product_id: 1, name: 'Laptop 2', stock_quantity: 37 });
      expect(await target.listDeadLetters()).toEqual([]);
      await target.stop();
    });
  });

  describe('identity is the source position, not the offset', () => {
    it('decrements once when the connector re-sends an order line at a new offset', async () => {
      const target = await service();
      const line = orderItemRecordAt(order(1, 5), at(210, 215), 0);
      await deliver(
        target,
        [productRecordAt('c', laptop(100), at(null, 200), 0)],
        [line],
        [{ ...line, offset: 99 }],
      );
      expect(await stockOf(target)).toBe(95);
      await target.stop();
    });

    it('applies new order lines when offsets start again from 0', async () => {
      const target = await service();
      await deliver(
        target,
        [productRecordAt('c', laptop(100), at(null, 200), 0)],
        [orderItemRecordAt(order(1, 5), at(210, 215), 0), orderItemRecordAt(order(2, 1), at(220, 225), 1)],
        // the topic was re-created: offsets 0 and 1 again, different changes
        [orderItemRecordAt(order(3, 2), at(230, 235), 0), orderItemRecordAt(order(4, 4), at(240, 245), 1)],
      );
      expect(await stockOf(target)).toBe(88);
      await target.stop();
    });

    it('treats a products change re-sent at a new offset as a duplicate, not as newer', async () => {
      const target = await service();
      const first = productRecordAt('c', laptop(100), at(null, 200), 0);
      const second = productRecordAt('u', laptop(70, '1.00'), at(210, 220), 1);
      await deliver(target, [first, second], [{ ...first, offset: 2 }]);
      expect((await target.scanInventory())[0]).toMatchObject({ price: '1.00', stock_quantity: 70 });
      await target.stop();
    });
  });

  describe('stock model orders', () => {
    it('keeps the stock when a price edit re-sends the unchanged count', async () => {
      const target = await service('orders');
      await deliver(
        target,
        [productRecordAt('c', laptop(100), at(null, 200), 0)],
        [orderItemRecordAt(order(1, 5), at(210, 215), 0)],
        [productRecordAt('u', laptop(100, '1199.00'), at(220, 225), 1)],
      );
      expect((await target.scanInventory())[0]).toMatchObject({ price: '1199.00', stock_quantity: 95 });
      await target.stop();
    });

    it.each([
      ['products first', 'products'],
      ['order lines first', 'orders'],
    ])('ends at the same stock with %s (create 100, order 10, stock-take 90)', async (_, first) => {
      // Prepare
      const target = await service('orders');
      const products = [
        productRecordAt('c', laptop(100), at(null, 200), 0),
        productRecordAt('u', laptop(90), at(220, 225), 1),
      ];
      const orders = [orderItemRecordAt(order(1, 10), at(205, 210), 0)];

      // Act
      if (first === 'products') await deliver(target, products, orders);
      else await deliver(target, orders, products);

      // Assess: the stock-take committed after the order, so its count already reflects it
      expect(await stockOf(target)).toBe(90);
      expect(await target.listDeadLetters()).toEqual([]);
      await target.stop();
    });

    it('subtracts order lines committed after a stock set that arrived before it', async () => {
      const target = await service('orders');
      await deliver(
        target,
        [orderItemRecordAt(order(1, 10), at(230, 235), 0), orderItemRecordAt(order(2, 4), at(205, 210), 1)],
        [
          productRecordAt('c', laptop(100), at(null, 200), 0),
          productRecordAt('u', laptop(80), at(220, 225), 1),
        ],
      );
      // create 100 @200, order 4 @205 (in the count of the set at 220), set 80 @220, order 10 @230
      expect(await stockOf(target)).toBe(70);
      await target.stop();
    });
  });

  describe('stock model products', () => {
    it.each(['products', 'orders'])(
      'takes the row value and ignores order lines (%s first)',
      async (first) => {
        const target = await service('products');
        const products = [
          productRecordAt('c', laptop(100), at(null, 200), 0),
          productRecordAt('u', laptop(95), at(205, 212), 1),
        ];
        const orders = [orderItemRecordAt(order(1, 5), at(205, 210), 0)];
        if (first === 'products') await deliver(target, products, orders);
        else await deliver(target, orders, products);
        expect(await stockOf(target)).toBe(95);
        await target.stop();
      },
    );
  });

  describe('stock model ledger', () => {
    it.each(['products', 'orders'])(
      'adds received differences and subtracts order lines (%s first)',
      async (first) => {
        const target = await service('ledger');
        const products = [
          productRecordAt('c', laptop(100), at(null, 200), 0),
          // received 50 more: stock_quantity counts receipts
          productRecordAt('u', laptop(150), at(220, 225), 1),
          productRecordAt('u', laptop(150, '5.00'), at(240, 245), 2),
        ];
        const orders = [
          orderItemRecordAt(order(1, 10), at(205, 210), 0),
          orderItemRecordAt(order(2, 7), at(230, 235), 1),
        ];
        if (first === 'products') await deliver(target, products, orders);
        else await deliver(target, orders, products);
        expect((await target.scanInventory())[0]).toMatchObject({ stock_quantity: 133, price: '5.00' });
        await target.stop();
      },
    );

    it('subtracts snapshot order lines, unlike the other models', async () => {
      const ledger = await service('ledger');
      const orders = await service('orders');
      const records = [
        productRecordAt('r', laptop(100), at(null, 500), 0),
        orderItemRecordAt(order(1, 10), at(null, 500), 0, 0, 'r'),
      ];
      await deliver(ledger, [records[1] as TestKafkaRecord], [records[0] as TestKafkaRecord]);
      await deliver(orders, [records[1] as TestKafkaRecord], [records[0] as TestKafkaRecord]);
      expect(await stockOf(ledger)).toBe(90);
      expect(await stockOf(orders)).toBe(100);
      await ledger.stop();
      await orders.stop();
    });
  });

  describe('commit order', () => {
    it('applies a streamed change whose LSN is below the snapshot point when it committed after it', async () => {
      // The transaction began before the snapshot's consistent point (LSN 1000) and committed after it: it is
      // the first streamed transaction, so Debezium has no last commit for it yet.
      const target = await service();
      await deliver(
        target,
        [productRecordAt('r', laptop(50), at(null, 1000), 0)],
        [productRecordAt('u', laptop(45, '10.00'), at(null, 900), 1)],
        [productRecordAt('r', laptop(50), at(null, 1000), 0)],
      );
      expect((await target.scanInventory())[0]).toMatchObject({ price: '10.00', stock_quantity: 45 });
      await target.stop();
    });

    it('orders interleaved transactions by commit, not by change LSN, in one partition', async () => {
      // T1: change at 500, commits at 600. T2 began earlier (change at 450) and commits after T1.
      const target = await service();
      const t1 = productRecordAt('u', laptop(60, '1.00'), at(400, 500), 1);
      const t2 = productRecordAt('u', laptop(70, '2.00'), at(600, 450), 2);
      await deliver(target, [productRecordAt('c', laptop(100), at(null, 300), 0)], [t1, t2], [t1]);
      expect((await target.scanInventory())[0]).toMatchObject({ price: '2.00', stock_quantity: 70 });
      await target.stop();
    });

    it('counts an order line committed after a stock set even when its change LSN is lower', async () => {
      // The order transaction began first (LSN 205) and committed after the stock-take's transaction (600).
      const target = await service('orders');
      await deliver(
        target,
        [
          productRecordAt('c', laptop(100), at(null, 200), 0),
          productRecordAt('u', laptop(90), at(300, 500), 1),
        ],
        [orderItemRecordAt(order(1, 10), at(600, 205), 0)],
      );
      expect(await stockOf(target)).toBe(80);
      await target.stop();
    });
  });

  describe('order lines before their product', () => {
    it('take effect when the product arrives, with no dead letter', async () => {
      const target = await service('orders');
      await deliver(
        target,
        [orderItemRecordAt(order(1, 3), at(210, 215), 0), orderItemRecordAt(order(2, 4), at(220, 225), 1)],
        [productRecordAt('c', laptop(100), at(null, 200), 0)],
      );
      expect(await stockOf(target)).toBe(93);
      expect(await target.listDeadLetters()).toEqual([]);
      await target.stop();
    });
  });

  describe('a database move: epochs stamped at produce time', () => {
    /**
     * The old database's connector either stamps epoch 0 or predates the header (SOURCE_EPOCH stays 0); the new
     * database's connector stamps epoch 1. The new database's LSNs start again below the old one's.
     */
    const oldCluster = {
      'stamped 0': (record: TestKafkaRecord) => stampedWithEpoch(record, 0),
      'unstamped (SOURCE_EPOCH 0)': (record: TestKafkaRecord) => record,
    };
    const newCluster = (record: TestKafkaRecord) => stampedWithEpoch(record, 1);

    it.each(Object.entries(oldCluster))(
      'does not let an old-database update consumed after the new snapshot and stream override them (old %s)',
      async (_label, old) => {
        // Prepare
        const target = await service('orders');
        const created = old(productRecordAt('c', laptop(100, '10.00'), at(null, 200), 0));
        const oldUpdate = old(productRecordAt('u', laptop(80, '12.00'), at(300, 310), 1));
        const snapshot = newCluster(productRecordAt('r', laptop(75, '15.00'), at(null, 100), 0));
        const streamed = newCluster(productRecordAt('u', laptop(70, '16.00'), at(120, 130), 1));

        // Act: the old update was still unconsumed when the move happened; the new cluster's offsets start at 0
        await deliver(target, [created], [snapshot, streamed], [oldUpdate]);

        // Assess
        expect((await target.scanInventory())[0]).toMatchObject({ stock_quantity: 70, price: '16.00' });
        expect(await target.listDeadLetters()).toEqual([]);
        await target.stop();
      },
    );

    it.each(Object.entries(oldCluster))(
      'does not subtract again an old-database order line committed before a stock-take (old %s)',
      async (_label, old) => {
        // Prepare: the line (10) is in the new snapshot's count (90) and in the stock-take after it (60)
        const target = await service('orders');
        const created = old(productRecordAt('c', laptop(100), at(null, 200), 0));
        const oldLine = old(orderItemRecordAt(order(1, 10), at(210, 215), 0));
        const snapshot = newCluster(productRecordAt('r', laptop(90), at(null, 100), 0));
        const stockTake = newCluster(productRecordAt('u', laptop(60), at(120, 130), 1));
        const newLine = newCluster(orderItemRecordAt(order(2, 4), at(140, 145), 0));

        // Act: the order_items mapping lagged behind the whole move
        await deliver(target, [created], [snapshot, stockTake], [oldLine], [newLine], [oldLine]);

        // Assess
        expect(await stockOf(target)).toBe(56);
        expect(await target.listDeadLetters()).toEqual([]);
        await target.stop();
      },
    );

    it('dead-letters a record whose epoch header is not an epoch, and applies the rest', async () => {
      // Prepare
      const target = await service('orders');
      const created = newCluster(productRecordAt('c', laptop(100), at(null, 200), 0));
      const garbled = stampedWithEpoch(productRecordAt('u', laptop(1), at(300, 310), 1), 'x');

      // Act
      await deliver(target, [created, garbled]);

      // Assess
      expect(await stockOf(target)).toBe(100);
      const letters = await target.listDeadLetters();
      expect(letters.map(({ letter }) => letter.error.code)).toEqual(['INVALID_FIELD']);
      // The letter keeps the header, so a replay ranks (or refuses) the record the same way
      expect(letters[0]?.letter.record.headers).toEqual(garbled.headers);
      await target.stop();
    });
  });

  describe('ids are whatever INTEGER holds', () => {
    it.each([
      ['0', 0, -1, 1],
      ['negative', -7, 0, -8],
      ['INTEGER extremes', -2147483648, 2147483647, 2147483646],
    ])(
      'creates, decrements, updates and deletes products with %s ids',
      async (_label, first, second, third) => {
        // Prepare
        const target = await service('orders');
        const product = (id: number, stock: number, price = '10.00') => ({ ...laptop(stock, price), id });
        const products = [
          productRecordAt('c', product(first, 100), at(null, 200), 0),
          productRecordAt('c', product(second, 50), at(200, 210), 1),
          productRecordAt('u', product(first, 100, '11.00'), at(240, 250), 2),
          productRecordAt('d', product(second, 0), at(260, 270), 3),
        ];
        // Order lines with ids of both signs (order_items.id is an INTEGER too)
        const orders = [
          orderItemRecordAt(order(first, 5, first), at(210, 220), 0),
          orderItemRecordAt(order(second, 3, first), at(220, 230), 1),
          orderItemRecordAt(order(third, 2, second), at(230, 240), 2),
        ];

        // Act: order lines first, then the products, then everything again
        await deliver(target, orders, products, [...orders, ...products]);

        // Assess
        const items = await target.scanInventory();
        expect(items).toHaveLength(1);
        expect(items[0]).toMatchObject({ product_id: first, stock_quantity: 92, price: '11.00' });
        expect(await target.listDeadLetters()).toEqual([]);
        await target.stop();
      },
    );
  });

  describe('TRUNCATE of order_items', () => {
    /** What Debezium writes for `TRUNCATE order_items`: no key, no row images, the source position. */
    const truncate = (lastCommit: number, lsn: number, offset: number) =>
      kafkaRecord(ORDER_ITEMS_TOPIC, 0, offset, {
        before: null,
        after: null,
        source: {
          connector: 'postgresql',
          name: 'dbserver1',
          ts_ms: at(lastCommit, lsn).tsMs,
          snapshot: 'false',
          db: 'shop',
          sequence: JSON.stringify([String(lastCommit), String(lsn)]),
          schema: 'public',
          table: 'order_items',
          lsn,
        },
        op: 't',
        ts_ms: at(lastCommit, lsn).tsMs + 5,
      });

    it.each(['orders', 'products', 'ledger'])(
      'changes no stock under %s, counts it and warns with the topic and position',
      async (stockModel) => {
        // Prepare
        const target = await service(stockModel);
        const lines = [orderItemRecordAt(order(1, 10), at(210, 215), 0)];
        await deliver(target, [productRecordAt('c', laptop(100), at(null, 200), 0)], lines);
        const before = await stockOf(target);

        // Act
        const { result, lines: output } = await captureOutput(() =>
          target.invoke(mskEvent([truncate(300, 310, 1)])),
        );

        // Assess
        expect(await stockOf(target)).toBe(before);
        expect(result.counts).toMatchObject({ TruncatesIgnored: 1, EventsIgnored: 0, DLQWrites: 0 });
        expect(emittedMetrics(output)).toMatchObject({ TruncatesIgnored: 1 });
        const warnings = output.filter(
          (line) => line.message === 'TRUNCATE of order_items ignored: stock not changed',
        );
        expect(warnings).toEqual([
          expect.objectContaining({
            level: 'WARN',
            topic: ORDER_ITEMS_TOPIC,
            partition: 0,
            offset: 1,
            position: `00001${(300).toString(16).padStart(16, '0')}${(310).toString(16).padStart(16, '0')}`,
          }),
        ]);
        expect(await target.listDeadLetters()).toEqual([]);
        await target.stop();
      },
    );
  });
});
