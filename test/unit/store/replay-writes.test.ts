import { describe, expect, it } from 'vitest';
import type { OrderItemCreated } from '../../../lambda/inventory/changes.js';
import type { StoredItem } from '../../../lambda/store/item-reader.js';
import {
  buildReplayExpression,
  decideReplay,
  ReplayDecision,
  replayRecordId,
} from '../../../lambda/store/replay-writes.js';

const TOPIC = 'dbserver1.public.order_items';

const orderItem = (offset: number, partition = 1): OrderItemCreated => ({
  type: 'OrderItemCreated',
  productId: 1003,
  orderItemId: 11,
  quantity: 2,
  record: { topic: TOPIC, partition, offset, timestamp: 0 },
});

const stored = (first?: number, last?: number, replayed: string[] = []): StoredItem => ({
  product_id: { N: '1003' },
  stock_quantity: { N: '12' },
  applied_offsets: { M: last === undefined ? {} : { '1': { N: String(last) } } },
  first_offsets: { M: first === undefined ? {} : { '1': { N: String(first) } } },
  ...(replayed.length === 0 ? {} : { replayed_records: { SS: replayed } }),
});

describe('decideReplay', () => {
  it('applies and advances the watermark when the partition has none or a lower one', () => {
    // Act
    const decisions = [decideReplay(stored(), orderItem(6)), decideReplay(stored(2, 4), orderItem(6))];

    // Assess
    expect(decisions).toEqual([
      { decision: ReplayDecision.APPLY, advance: true },
      { decision: ReplayDecision.APPLY, advance: true },
    ]);
  });

  it('applies without advancing an offset below the first one the live path applied', () => {
    // Act
    const decision = decideReplay(stored(8, 12), orderItem(6));

    // Assess
    expect(decision).toEqual({ decision: ReplayDecision.APPLY, advance: false });
  });

  it('skips what the live path covered, what a replay recorded, and reports a missing product', () => {
    // Act
    const decisions = [
      decideReplay(stored(4, 9), orderItem(6)).decision,
      decideReplay(stored(6, 6, [`${TOPIC}:1:6`]), orderItem(6)).decision,
      decideReplay(undefined, orderItem(6)).decision,
    ];

    // Assess
    expect(decisions).toEqual([
      ReplayDecision.APPLIED_LIVE,
      ReplayDecision.ALREADY_REPLAYED,
      ReplayDecision.UNKNOWN_PRODUCT,
    ]);
  });
});

describe('buildReplayExpression', () => {
  it('decrements, records the id and moves the watermark in one conditional update', () => {
    // Act
    const expression = buildReplayExpression(orderItem(6), true);

    // Assess
    expect(expression.UpdateExpression).toBe(
      'SET #stock = if_not_exists(#stock, :zero) - :qty, #applied.#p = :off, #first.#p = if_not_exists(#first.#p, :off) ADD #replayed :rids',
    );
    expect(expression.ConditionExpression).toBe(
      'attribute_exists(#id) AND NOT contains(#replayed, :rid) AND (attribute_not_exists(#applied.#p) OR #applied.#p < :off)',
    );
    expect(expression.ExpressionAttributeValues[':rids']).toEqual({ SS: [replayRecordId(orderItem(6))] });
    expect(expression.ExpressionAttributeNames['#p']).toBe('1');
  });

  it('behind the watermark, requires the offset to lie below the live range', () => {
    // Act
    const expression = buildReplayExpression(orderItem(6), false);

    // Assess
    expect(expression.UpdateExpression).toBe(
      'SET #stock = if_not_exists(#stock, :zero) - :qty ADD #replayed :rids',
    );
    expect(expression.ConditionExpression).toBe(
      'attribute_exists(#id) AND NOT contains(#replayed, :rid) AND #applied.#p >= :off AND (attribute_not_exists(#first.#p) OR #first.#p > :off)',
    );
  });
});
