import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import {
  kafkaRecord,
  mskEvent,
  ORDER_ITEMS_TOPIC,
  type OrderItemRow,
  orderItemEnvelopeAt,
  orderItemRecordAt,
  productRecordAt,
  type SourceAt,
  type TestKafkaRecord,
} from '../support/debezium.js';
import { at, laptop, order } from '../support/scenario-rows.js';

/**
 * Review attacks on the commit-order / exactly-once design, each through the real handler on DynamoDB Local.
 * Every test here states what the serial application of Postgres's commits (SOURCE_SCHEMA.md) gives, and
 * fails on the current code.
 */

/** An order line read by an incremental snapshot: op r, source.snapshot "incremental", a real lastCommit. */
const incrementalOrderItemRecord = (
  row: OrderItemRow,
  position: SourceAt,
  offset: number,
): TestKafkaRecord => {
  const envelope = orderItemEnvelopeAt('r', row, position);
  return kafkaRecord(
    ORDER_ITEMS_TOPIC,
    0,
    offset,
    { ...envelope, source: { ...envelope.source, snapshot: 'incremental' } },
    { id: row.id },
  );
};

describe('review attacks', () => {
  let aws: EmbeddedAws;
  let run = 0;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });
  afterAll(async () => {
    await aws.stop();
  });

  const service = async (stockModel = 'orders'): Promise<LocalService> => {
    run += 1;
    return startLocalService({
      aws,
      env: {
        DYNAMODB_TABLE: `attacks-${run}`,
        DLQ_S3_BUCKET: `attacks-${run}-dlq`,
        STOCK_MODEL: stockModel,
      },
    });
  };

  const deliver = async (target: LocalService, ...batches: TestKafkaRecord[][]) => {
    for (const batch of batches) await target.invoke(mskEvent(batch));
  };

  const productOf = async (target: LocalService, productId = 1) =>
    (await target.scanInventory()).find((item) => item.product_id === productId);

  describe('snapshot.mode=always: every restart snapshots again at a new point, then streams from it', () => {
    // Known limit (docs/design.md, "Known limits"): it.fails records that the table is still wrong here.
    it.fails('applies a re-snapshot row that carries a change committed while the connector was down', async () => {
      // Prepare: streamed history, then (connector down) the price is edited at commit ~1100, then the connector
      // restarts with snapshot.mode=always: the edit is only in the new snapshot (taken at 5000), never streamed.
      const target = await service();
      const create = productRecordAt('c', laptop(10, '10.00'), at(900, 1000), 0);
      const resnapshot = productRecordAt('r', laptop(10, '20.00'), at(null, 5000), 1);

      // Act
      await deliver(target, [create], [resnapshot]);

      // Assess: Postgres's row has price 20.00 since commit ~1100; the snapshot row is the only carrier of it.
      expect((await productOf(target))?.price).toBe('20.00');
    });

    it('applies the first streamed transaction after a re-snapshot (its sequence[0] is null again)', async () => {
      // Prepare: after the re-snapshot the offset context is fresh (lastCommitLsn null), so the first streamed
      // transaction is ["null","5100"] although it commits after everything streamed before the restart.
      const target = await service();
      const create = productRecordAt('c', laptop(10, '10.00'), at(900, 1000), 0);
      const resnapshot = productRecordAt('r', laptop(10, '10.00'), at(null, 5000), 1);
      const firstStreamed = productRecordAt('u', laptop(10, '30.00'), at(null, 5100), 2);

      // Act
      await deliver(target, [create], [resnapshot], [firstStreamed]);

      // Assess: the last committed price is 30.00
      expect((await productOf(target))?.price).toBe('30.00');
    });

    it('subtracts an order line of the first streamed transaction after a re-snapshot (orders model)', async () => {
      // Prepare
      const target = await service('orders');
      const create = productRecordAt('c', laptop(10), at(900, 1000), 0);
      const resnapshot = productRecordAt('r', laptop(10), at(null, 5000), 1);
      const line = orderItemRecordAt(order(1, 2), at(null, 5100), 0);

      // Act: the line sorts below stock_position ([1000 commit] > [null→0 commit]) and is taken as "in the count"
      await deliver(target, [create], [resnapshot], [line]);

      // Assess: count 10 at ~1000, then an order of 2 committed after it
      expect((await productOf(target))?.stock_quantity).toBe(8);
    });

    // Was a known limit: a line read by a second snapshot is settled against what the ledger holds of it.
    it('does not count the snapshot order lines again at every re-snapshot (ledger model)', async () => {
      // Prepare: first snapshot at 500 (received 100, three order lines of 10), streaming, restart, snapshot at 5000
      const target = await service('ledger');
      const first = [
        productRecordAt('r', laptop(100), at(null, 500), 0),
        orderItemRecordAt(order(1, 10), at(null, 500), 0, 0, 'r'),
        orderItemRecordAt(order(2, 10), at(null, 500), 1, 0, 'r'),
        orderItemRecordAt(order(3, 10), at(null, 500), 2, 0, 'r'),
      ];
      const again = [
        productRecordAt('r', laptop(100), at(null, 5000), 1),
        orderItemRecordAt(order(1, 10), at(null, 5000), 3, 0, 'r'),
        orderItemRecordAt(order(2, 10), at(null, 5000), 4, 0, 'r'),
        orderItemRecordAt(order(3, 10), at(null, 5000), 5, 0, 'r'),
      ];

      // Act
      await deliver(target, first, again);

      // Assess: received 100, three order lines of 10 committed once each
      expect((await productOf(target))?.stock_quantity).toBe(70);
    });
  });

  describe('snapshot.mode=initial interrupted: Debezium redoes the unfinished snapshot at a new point', () => {
    // Was a known limit: the redone snapshot's lines are settled against the first one's entries.
    it('does not count the snapshot order lines twice (ledger model)', async () => {
      // Prepare: the connector dies after emitting part of the snapshot at 500 and its slot stays; on restart the
      // snapshot is taken again at the current WAL position 600 and every row is emitted again.
      const target = await service('ledger');
      const first = [
        productRecordAt('r', laptop(100), at(null, 500), 0),
        orderItemRecordAt(order(1, 10), at(null, 500), 0, 0, 'r'),
        orderItemRecordAt(order(2, 10), at(null, 500), 1, 0, 'r'),
      ];
      const redone = [
        productRecordAt('r', laptop(100), at(null, 600), 1),
        orderItemRecordAt(order(1, 10), at(null, 600), 2, 0, 'r'),
        orderItemRecordAt(order(2, 10), at(null, 600), 3, 0, 'r'),
      ];

      // Act
      await deliver(target, first, redone);

      // Assess
      expect((await productOf(target))?.stock_quantity).toBe(80);
    });
  });

  describe('incremental snapshots', () => {
    // Was a known limit: the re-read line is settled against its streamed create's entry.
    it('does not count an already streamed order line again when an incremental snapshot reads it (ledger)', async () => {
      // Prepare: order line 1 streamed as a create; later an incremental snapshot of order_items (a signal, or
      // `reconcile --repair-sql`) reads it again as op r at the watermark's position.
      const target = await service('ledger');
      const create = productRecordAt('c', laptop(100), at(900, 1000), 0);
      const line = orderItemRecordAt(order(1, 5), at(1050, 1100), 0);
      const reread = incrementalOrderItemRecord(order(1, 5), at(2000, 2050), 1);

      // Act
      await deliver(target, [create, line], [reread]);

      // Assess: received 100, one order line of 5 committed once
      expect((await productOf(target))?.stock_quantity).toBe(95);
    });
  });

  describe('restart inside the first streamed transaction (PostgresOffsetContext.Loader: lsn_commit ← lsn_proc)', () => {
    it('counts an order line of that transaction once when Debezium re-sends it (orders model)', async () => {
      // Prepare: snapshot at 500; first streamed transaction has sequence [null, 600]; the connector dies before
      // an offset with lsn_commit is flushed, restores lastCommitLsn from lsn_proc (600) and re-sends it.
      const target = await service('orders');
      const snapshot = productRecordAt('r', laptop(10), at(null, 500), 0);
      const line = orderItemRecordAt(order(1, 2), at(null, 600), 0);
      const resent = orderItemRecordAt(order(1, 2), at(600, 600), 1);

      // Act
      await deliver(target, [snapshot], [line], [resent]);

      // Assess: one order line of 2 committed after the snapshot
      expect((await productOf(target))?.stock_quantity).toBe(8);
    });
  });
});
