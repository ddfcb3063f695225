import { describe, expect, it } from 'vitest';
import { ABSENT_PRODUCT, type StoredProduct } from '../../../lambda/inventory/stored-product.js';
import { planUpsertGroup } from '../../../lambda/inventory/upsert-group.js';
import {
  buildHeadCondition,
  buildUpsertExpression,
  stockAfter,
} from '../../../lambda/store/product-writes.js';
import { positionAt, productUpserted } from '../support/changes.js';

const stored: StoredProduct = {
  exists: true,
  position: positionAt(900),
  sourceStock: 50,
  stock: 44,
  stockPosition: positionAt(800),
  deletedAt: undefined,
};

const change = productUpserted(1001, 5, {
  position: positionAt(1000),
  columns: { name: 'Laptop', description: null, price: '1299.99', stockQuantity: 45 },
  lastUpdated: '2025-01-15T10:30:00.123Z',
  cdcTimestamp: 1_736_937_000_456,
});

/** The expression with its placeholders resolved, so a test reads as the clause DynamoDB evaluates. */
const resolved = (
  text: string | undefined,
  names: Record<string, string>,
  values: Record<string, unknown> = {},
) =>
  (text ?? '').replace(/[#:][a-z]\d+/g, (token) =>
    token.startsWith('#') ? (names[token] ?? token) : JSON.stringify(values[token]),
  );

describe('buildUpsertExpression', () => {
  it('resets the stock with a compare-and-set on position, stock and stock position (orders model)', () => {
    // Prepare
    const plan = planUpsertGroup([change], stored, 'orders');

    // Act
    const expression = buildUpsertExpression({ ...plan, merged: change }, stored, 42);

    // Assess
    const names = expression.ExpressionAttributeNames;
    const values = expression.ExpressionAttributeValues;
    expect(resolved(expression.UpdateExpression, names, values)).toBe(
      `SET name = {"S":"Laptop"}, price = {"S":"1299.99"}, last_updated = {"S":"2025-01-15T10:30:00.123Z"}, ` +
        `cdc_timestamp = {"N":"1736937000456"}, cdc_position = {"S":"${positionAt(1000)}"}, source_stock = {"N":"45"}, ` +
        `stock_quantity = {"N":"42"}, stock_position = {"S":"${positionAt(1000)}"} REMOVE description`,
    );
    expect(resolved(expression.ConditionExpression, names, values)).toBe(
      `attribute_exists(product_id) AND cdc_position = {"S":"${positionAt(900)}"} AND ` +
        `stock_quantity = {"N":"44"} AND stock_position = {"S":"${positionAt(800)}"}`,
    );
  });

  it('creates an item only if none exists, and leaves the stock alone for a price edit', () => {
    // Prepare
    const edit = { ...change, columns: { price: '1.00', stockQuantity: 50 } };
    const plan = planUpsertGroup([edit], stored, 'orders');

    // Act
    const onExisting = buildUpsertExpression(
      { ...plan, merged: edit },
      stored,
      stockAfter(plan.stock, stored, 0),
    );
    const createPlan = planUpsertGroup([change], ABSENT_PRODUCT, 'orders');
    const onAbsent = buildUpsertExpression({ ...createPlan, merged: change }, ABSENT_PRODUCT, 45);

    // Assess
    expect(plan.stock).toEqual({ kind: 'keep' });
    expect(resolved(onExisting.UpdateExpression, onExisting.ExpressionAttributeNames)).not.toContain(
      'stock_quantity',
    );
    expect(resolved(onAbsent.ConditionExpression, onAbsent.ExpressionAttributeNames)).toBe(
      'attribute_not_exists(product_id)',
    );
  });

  it('moves the ledger stock with arithmetic that commutes with order lines, without a stock condition', () => {
    // Prepare
    const receipt = { ...change, columns: { stockQuantity: 80 } };
    const plan = planUpsertGroup([receipt], stored, 'ledger');

    // Act
    const expression = buildUpsertExpression({ ...plan, merged: receipt }, stored, undefined);

    // Assess
    const names = expression.ExpressionAttributeNames;
    const values = expression.ExpressionAttributeValues;
    expect(resolved(expression.UpdateExpression, names, values)).toContain(
      'stock_quantity = if_not_exists(stock_quantity, {"N":"0"}) + {"N":"30"}',
    );
    expect(resolved(expression.ConditionExpression, names, values)).not.toContain('stock_quantity');
  });

  it('guards an item without our bookkeeping (Python inventory-service) by the absence of a position', () => {
    // Prepare
    const legacy: StoredProduct = { ...ABSENT_PRODUCT, exists: true, stock: 12 };
    const plan = planUpsertGroup([change], legacy, 'orders');

    // Act
    const expression = buildUpsertExpression({ ...plan, merged: change }, legacy, 45);

    // Assess
    expect(
      resolved(
        expression.ConditionExpression,
        expression.ExpressionAttributeNames,
        expression.ExpressionAttributeValues,
      ),
    ).toBe(
      'attribute_exists(product_id) AND attribute_not_exists(cdc_position) AND stock_quantity = {"N":"12"} AND attribute_not_exists(stock_position)',
    );
  });
});

describe('buildHeadCondition', () => {
  it('requires a create to be newer than the last delete and a reset to see the same ledger version', () => {
    // Act
    const condition = buildHeadCondition(
      { stored: ABSENT_PRODUCT, headVersion: 3, item: undefined, truncatedAt: undefined },
      { newerThanDelete: positionAt(1000), sameVersion: true },
    );

    // Assess
    expect(
      resolved(
        condition.ConditionExpression,
        condition.ExpressionAttributeNames,
        condition.ExpressionAttributeValues,
      ),
    ).toBe(
      `(attribute_not_exists(deleted_at) OR deleted_at < {"S":"${positionAt(1000)}"}) AND version = {"N":"3"}`,
    );
  });

  it('accepts a head that does not exist yet', () => {
    const condition = buildHeadCondition(
      { stored: ABSENT_PRODUCT, headVersion: undefined, item: undefined, truncatedAt: undefined },
      { sameVersion: true },
    );
    expect(resolved(condition.ConditionExpression, condition.ExpressionAttributeNames)).toBe(
      'attribute_not_exists(version)',
    );
  });
});

describe('stockAfter', () => {
  it('subtracts the order lines the ledger holds from the reset position on', () => {
    expect(stockAfter({ kind: 'reset', value: 100, from: positionAt(1) }, stored, 7)).toBe(93);
    expect(stockAfter({ kind: 'move', delta: -3 }, stored, 7)).toBe(41);
    expect(stockAfter({ kind: 'set', value: 9 }, stored, 7)).toBe(9);
    expect(stockAfter({ kind: 'keep' }, stored, 7)).toBeUndefined();
  });
});
