import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import {
  BASE_TS_MS,
  kafkaRecord,
  mskEvent,
  ORDER_ITEMS_TOPIC,
  type OrderItemRow,
  productRecordAt,
  sourceBlock,
  type TestKafkaRecord,
} from '../support/debezium.js';

/** Where each change committed: one transaction per change, each just after the previous one. */
const at = (lsn: number) => ({ lastCommit: lsn - 5, lsn, tsMs: BASE_TS_MS + lsn });

const withColumns = (row: OrderItemRow) => ({ ...row, unit_price: '10.00', created_at: BASE_TS_MS * 1000 });

/** The default REPLICA IDENTITY's delete image: the key, and nulls that mean "not sent". */
const keyOnly = (id: number) => ({
  id,
  order_id: null,
  product_id: null,
  quantity: null,
  unit_price: null,
  created_at: null,
});

/** An order_items change as the Postgres connector writes it, with or without a before image. */
const line = (
  op: 'c' | 'u' | 'd',
  row: OrderItemRow,
  lsn: number,
  offset: number,
  options: { before?: OrderItemRow | 'key-only'; partition?: number } = {},
): TestKafkaRecord => {
  const before =
    options.before === 'key-only'
      ? keyOnly(row.id)
      : options.before === undefined
        ? null
        : withColumns(options.before);
  return kafkaRecord(
    ORDER_ITEMS_TOPIC,
    options.partition ?? 0,
    offset,
    {
      before: op === 'd' ? before : op === 'u' ? before : null,
      after: op === 'd' ? null : withColumns(row),
      source: sourceBlock('order_items', at(lsn)),
      op,
      ts_ms: BASE_TS_MS + lsn + 5,
      transaction: null,
    },
    { id: row.id },
  );
};

const product = (id: number, stock: number, lsn: number, offset: number) =>
  productRecordAt(
    'c',
    { id, name: `P${id}`, description: null, price: '5.00', stock_quantity: stock },
    at(lsn),
    offset,
  );

describe('order-line edits and removals (SOURCE_SCHEMA.md: order lines that exist count)', () => {
  let aws: EmbeddedAws;
  const services = new Map<StockModel, LocalService>();

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    for (const model of ['orders', 'ledger', 'products'] as const) {
      services.set(
        model,
        await startLocalService({
          aws,
          env: { DYNAMODB_TABLE: `edits-${model}`, DLQ_S3_BUCKET: `edits-${model}`, STOCK_MODEL: model },
        }),
      );
    }
  });

  afterAll(async () => {
    for (const service of services.values()) await service.stop();
    await aws.stop();
  });

  const stockOf = async (service: LocalService, productId: number) =>
    (await service.scanInventory()).find((item) => item.product_id === productId)?.stock_quantity;

  describe.each(['orders', 'ledger'] as const)('under STOCK_MODEL=%s', (model) => {
    let nextProduct = model === 'orders' ? 100 : 200;

    it.each([
      ['products first', false],
      ['order lines first', true],
    ])(
      'moves the stock by an edit’s difference and gives a removal back, with before images (%s)',
      async (_, ordersFirst) => {
        // Prepare: a line of 2, edited to 6, then a second line of 3 that is removed (REPLICA IDENTITY FULL)
        const service = services.get(model) as LocalService;
        const id = nextProduct++;
        const first = { id: id * 10, order_id: 1, product_id: id, quantity: 2 };
        const second = { id: id * 10 + 1, order_id: 2, product_id: id, quantity: 3 };
        const lines = [
          line('c', first, 200, 0),
          line('u', { ...first, quantity: 6 }, 210, 1, { before: first }),
          line('c', second, 220, 2),
          line('d', second, 230, 3, { before: second }),
        ];
        const products = mskEvent([product(id, 100, 100, 0)]);

        // Act: both orders of arrival, and the order_items batch redelivered
        if (!ordersFirst) await service.invoke(products);
        await service.invoke(mskEvent(lines));
        await service.invoke(mskEvent(lines));
        if (ordersFirst) await service.invoke(products);

        // Assess
        expect(await stockOf(service, id)).toBe(94);
      },
    );

    it('recalls the old quantity from the ledger when an update has no before image', async () => {
      // Prepare
      const service = services.get(model) as LocalService;
      const id = nextProduct++;
      const row = { id: id * 10, order_id: 1, product_id: id, quantity: 4 };
      await service.invoke(mskEvent([product(id, 50, 100, 0)]));
      await service.invoke(mskEvent([line('c', row, 200, 0)]));

      // Act: default REPLICA IDENTITY: the update carries only the new row; then re-emitted at a new offset
      const edit = await service.invoke(mskEvent([line('u', { ...row, quantity: 1 }, 210, 1)]));
      await service.invoke(mskEvent([line('u', { ...row, quantity: 1 }, 210, 7)]));

      // Assess
      expect(edit.counts).toMatchObject({ OrderLineEdits: 1 });
      expect(await stockOf(service, id)).toBe(49);
    });

    it('recalls the old quantity from the same batch when a line is created and edited in it', async () => {
      // Prepare
      const service = services.get(model) as LocalService;
      const id = nextProduct++;
      const row = { id: id * 10, order_id: 1, product_id: id, quantity: 4 };
      await service.invoke(mskEvent([product(id, 50, 100, 0)]));
      const batch = mskEvent([line('c', row, 200, 0), line('u', { ...row, quantity: 9 }, 210, 1)]);

      // Act: and the mapping redelivers the batch
      await service.invoke(batch);
      await service.invoke(batch);

      // Assess
      expect(await stockOf(service, id)).toBe(41);
    });

    it('moves a line’s quantity between products when its product_id changes', async () => {
      // Prepare
      const service = services.get(model) as LocalService;
      const from = nextProduct++;
      const to = nextProduct++;
      const row = { id: from * 10, order_id: 1, product_id: from, quantity: 5 };
      await service.invoke(mskEvent([product(from, 40, 100, 0), product(to, 40, 101, 1)]));
      await service.invoke(mskEvent([line('c', row, 200, 0)]));

      // Act
      await service.invoke(
        mskEvent([line('u', { ...row, product_id: to, quantity: 7 }, 210, 1, { before: row })]),
      );

      // Assess
      expect(await stockOf(service, from)).toBe(40);
      expect(await stockOf(service, to)).toBe(33);
    });

    it('leaves the stock and says so when a removal has no before image', async () => {
      // Prepare
      const service = services.get(model) as LocalService;
      const id = nextProduct++;
      const row = { id: id * 10, order_id: 1, product_id: id, quantity: 4 };
      await service.invoke(mskEvent([product(id, 50, 100, 0)]));
      await service.invoke(mskEvent([line('c', row, 200, 0)]));

      // Act
      const removal = await service.invoke(mskEvent([line('d', row, 210, 1, { before: 'key-only' })]));

      // Assess
      expect(removal.counts).toMatchObject({ OrderLineEditsUnknown: 1, RecordsProcessed: 1 });
      expect(await stockOf(service, id)).toBe(46);
    });
  });

  it('ignores edits under STOCK_MODEL=products, where the products row carries the stock', async () => {
    // Prepare
    const service = services.get('products') as LocalService;
    const row = { id: 3_000, order_id: 1, product_id: 300, quantity: 2 };
    await service.invoke(mskEvent([product(300, 20, 100, 0)]));

    // Act
    const result = await service.invoke(
      mskEvent([line('u', { ...row, quantity: 9 }, 210, 0, { before: row })]),
    );

    // Assess
    expect(result.counts).toMatchObject({ EventsIgnored: 1 });
    expect(await stockOf(service, 300)).toBe(20);
  });
});
