import { describe, expect, it } from 'vitest';
import { buildUpsertExpression } from '../../../lambda/store/product-writes.js';
import { buildDecrementExpression } from '../../../lambda/store/stock-writes.js';
import { orderItemCreated, productUpserted } from '../support/changes.js';

const POSITION = '00000000000024023128.00000001736937000123.00000000000000000000';

describe('buildUpsertExpression', () => {
  it('sets every carried column, the bookkeeping, and guards on a newer position', () => {
    // Prepare
    const change = productUpserted(1001, 5, {
      position: POSITION,
      columns: {
        name: 'Laptop',
        description: 'High-performance laptop',
        price: '1299.99',
        stockQuantity: 45,
      },
      lastUpdated: '2025-01-15T10:30:00.123Z',
      cdcTimestamp: 1_736_937_000_456,
    });

    // Act
    const expression = buildUpsertExpression(change);

    // Assess
    expect(expression).toEqual({
      UpdateExpression:
        'SET #a0 = :v0, #a1 = :v1, #a2 = :v2, #a3 = :v3, #a4 = :v4, #a5 = :v5, #pos = :pos, ' +
        '#applied = if_not_exists(#applied, :empty), #first = if_not_exists(#first, :empty)',
      ConditionExpression: 'attribute_not_exists(#pos) OR #pos < :pos',
      ExpressionAttributeNames: {
        '#pos': 'cdc_position',
        '#a0': 'name',
        '#a1': 'description',
        '#a2': 'price',
        '#a3': 'stock_quantity',
        '#a4': 'last_updated',
        '#a5': 'cdc_timestamp',
        '#applied': 'applied_offsets',
        '#first': 'first_offsets',
      },
      ExpressionAttributeValues: {
        ':pos': { S: POSITION },
        ':v0': { S: 'Laptop' },
        ':v1': { S: 'High-performance laptop' },
        ':v2': { S: '1299.99' },
        ':v3': { N: '45' },
        ':v4': { S: '2025-01-15T10:30:00.123Z' },
        ':v5': { N: '1736937000456' },
        ':empty': { M: {} },
      },
    });
  });

  it('leaves columns the change does not carry (e.g. a TOASTed description) untouched', () => {
    // Prepare
    const change = productUpserted(1001, 6, {
      position: POSITION,
      columns: { name: 'Laptop Pro', stockQuantity: 40 },
      lastUpdated: '2025-01-15T11:30:00.000Z',
      cdcTimestamp: 1_736_940_600_301,
    });

    // Act
    const expression = buildUpsertExpression(change);

    // Assess
    expect(expression.UpdateExpression).toBe(
      'SET #a0 = :v0, #a1 = :v1, #a2 = :v2, #a3 = :v3, #pos = :pos, ' +
        '#applied = if_not_exists(#applied, :empty), #first = if_not_exists(#first, :empty)',
    );
    expect(Object.values(expression.ExpressionAttributeNames)).not.toContain('description');
    expect(Object.values(expression.ExpressionAttributeNames)).not.toContain('price');
    expect(expression.ExpressionAttributeNames['#a1']).toBe('stock_quantity');
    expect(expression.ExpressionAttributeValues[':v1']).toEqual({ N: '40' });
    expect(expression.ExpressionAttributeValues[':v3']).toEqual({ N: '1736940600301' });
  });

  it('lets a change without price, name or stock update an existing item only', () => {
    // Prepare
    const change = productUpserted(1001, 6, {
      position: POSITION,
      columns: { name: 'Laptop Pro', stockQuantity: 40 },
    });
    const full = productUpserted(1001, 6, {
      position: POSITION,
      columns: { name: 'Laptop Pro', price: '1.00', stockQuantity: 40 },
    });

    // Act
    const partial = buildUpsertExpression(change);
    const complete = buildUpsertExpression(full);

    // Assess
    expect(partial.ConditionExpression).toBe(
      '(attribute_not_exists(#pos) OR #pos < :pos) AND attribute_exists(#id)',
    );
    expect(partial.ExpressionAttributeNames['#id']).toBe('product_id');
    expect(complete.ConditionExpression).toBe('attribute_not_exists(#pos) OR #pos < :pos');
  });

  it('removes the description when the change clears it', () => {
    // Prepare
    const change = productUpserted(1002, 7, {
      position: POSITION,
      columns: { name: 'Wireless Mouse', description: null },
    });

    // Act
    const expression = buildUpsertExpression(change);

    // Assess
    expect(expression.UpdateExpression).toBe(
      'SET #a0 = :v0, #a1 = :v1, #a2 = :v2, #pos = :pos, ' +
        '#applied = if_not_exists(#applied, :empty), #first = if_not_exists(#first, :empty) REMOVE #desc',
    );
    expect(expression.ExpressionAttributeNames['#desc']).toBe('description');
    expect(Object.keys(expression.ExpressionAttributeValues).sort()).toEqual([
      ':empty',
      ':pos',
      ':v0',
      ':v1',
      ':v2',
    ]);
  });

  it('sets an empty description as an empty string, not a removal', () => {
    // Prepare
    const change = productUpserted(1002, 8, { columns: { description: '' } });

    // Act
    const expression = buildUpsertExpression(change);

    // Assess
    expect(expression.UpdateExpression).not.toContain('REMOVE');
    expect(expression.ExpressionAttributeNames['#a0']).toBe('description');
    expect(expression.ExpressionAttributeValues[':v0']).toEqual({ S: '' });
  });

  it('uses only attribute-name placeholders, so reserved words like name are safe', () => {
    // Prepare
    const change = productUpserted(1, 9);

    // Act
    const expression = buildUpsertExpression(change);

    // Assess
    const words = `${expression.UpdateExpression} ${expression.ConditionExpression}`
      .split(/[\s,=<()]+/)
      .filter((word) => word !== '' && !/^[#:]/.test(word));
    expect(new Set(words)).toEqual(new Set(['SET', 'if_not_exists', 'attribute_not_exists', 'OR']));
    const referencedNames = expression.UpdateExpression.match(/#\w+/g) ?? [];
    for (const name of referencedNames) expect(expression.ExpressionAttributeNames).toHaveProperty(name);
  });
  it('guards a folded group by its lowest position while storing the newest', () => {
    // Prepare
    const newest = productUpserted(1001, 12, { position: POSITION });
    const lowest = '00000000000024023000.00000001736937000000.00000000000000000000';

    // Act
    const expression = buildUpsertExpression(newest, lowest);

    // Assess
    expect(expression.ConditionExpression).toBe('attribute_not_exists(#pos) OR #pos < :guard');
    expect(expression.UpdateExpression).toContain('#pos = :pos');
    expect(expression.ExpressionAttributeValues[':guard']).toEqual({ S: lowest });
    expect(expression.ExpressionAttributeValues[':pos']).toEqual({ S: POSITION });
  });
});

describe('buildDecrementExpression', () => {
  it('takes one item’s quantity and advances its partition’s watermark', () => {
    // Prepare
    const items = [orderItemCreated(1001, 42, 3, 0)];

    // Act
    const expression = buildDecrementExpression(items);

    // Assess
    expect(expression).toEqual({
      UpdateExpression:
        'SET #stock = if_not_exists(#stock, :zero) - :qty, #applied.#p0 = :max0, ' +
        '#first.#p0 = if_not_exists(#first.#p0, :min0)',
      ConditionExpression:
        'attribute_exists(#id) AND (attribute_not_exists(#applied.#p0) OR #applied.#p0 < :min0)',
      ExpressionAttributeNames: {
        '#id': 'product_id',
        '#stock': 'stock_quantity',
        '#applied': 'applied_offsets',
        '#first': 'first_offsets',
        '#p0': '0',
      },
      ExpressionAttributeValues: {
        ':zero': { N: '0' },
        ':qty': { N: '3' },
        ':min0': { N: '42' },
        ':max0': { N: '42' },
      },
    });
  });

  it('sums quantities across partitions and guards each partition on its lowest offset', () => {
    // Prepare
    const items = [
      orderItemCreated(1001, 10, 2, 3),
      orderItemCreated(1001, 5, 1, 1),
      orderItemCreated(1001, 12, 3, 3),
      orderItemCreated(1001, 3, 4, 1),
      orderItemCreated(1001, 11, 5, 3),
    ];

    // Act
    const expression = buildDecrementExpression(items);

    // Assess
    expect(expression.ExpressionAttributeValues).toEqual({
      ':zero': { N: '0' },
      ':qty': { N: '15' },
      ':min0': { N: '10' },
      ':max0': { N: '12' },
      ':min1': { N: '3' },
      ':max1': { N: '5' },
    });
    expect(expression.ExpressionAttributeNames['#p0']).toBe('3');
    expect(expression.ExpressionAttributeNames['#p1']).toBe('1');
    expect(expression.ConditionExpression).toBe(
      'attribute_exists(#id) AND (attribute_not_exists(#applied.#p0) OR #applied.#p0 < :min0) ' +
        'AND (attribute_not_exists(#applied.#p1) OR #applied.#p1 < :min1)',
    );
    expect(expression.UpdateExpression).toBe(
      'SET #stock = if_not_exists(#stock, :zero) - :qty, ' +
        '#applied.#p0 = :max0, #first.#p0 = if_not_exists(#first.#p0, :min0), ' +
        '#applied.#p1 = :max1, #first.#p1 = if_not_exists(#first.#p1, :min1)',
    );
  });

  it('spells large offsets and quantities exactly', () => {
    // Prepare
    const items = [orderItemCreated(7, 9_007_199_254_740_000, 1_000_000, 0)];

    // Act
    const expression = buildDecrementExpression(items);

    // Assess
    expect(expression.ExpressionAttributeValues[':qty']).toEqual({ N: '1000000' });
    expect(expression.ExpressionAttributeValues[':min0']).toEqual({ N: '9007199254740000' });
  });

  it('never creates the item: the condition requires the product to exist', () => {
    // Prepare
    const items = [orderItemCreated(404, 1, 1, 0)];

    // Act
    const expression = buildDecrementExpression(items);

    // Assess
    expect(expression.ConditionExpression.startsWith('attribute_exists(#id) AND ')).toBe(true);
    expect(expression.ExpressionAttributeNames['#id']).toBe('product_id');
  });
});
