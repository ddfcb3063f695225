import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductColumns, ProductUpserted } from '../../lambda/inventory/changes.js';
import { positionKey } from '../../lambda/inventory/position.js';
import { readItem } from '../../lambda/store/item-reader.js';
import { upsertProductGroup } from '../../lambda/store/product-writes.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { plainItem } from '../../scripts/local/local-service.js';
import { productUpserted } from '../unit/support/changes.js';

const TABLE = 'inventory-upsert-group';

const upsertAt = (productId: number, lsn: number, columns: ProductColumns): ProductUpserted =>
  productUpserted(productId, lsn, {
    position: positionKey({ lsn, sourceTsMs: 1_736_937_000_000 }, 0),
    columns,
  });

/** Counts the commands a client sends, by name. */
const countCalls = (client: DynamoDBClient): Map<string, number> => {
  const calls = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.set(context.commandName as string, (calls.get(context.commandName as string) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return calls;
};

describe('upsertProductGroup against embedded DynamoDB', () => {
  let aws: EmbeddedAws;
  let calls: Map<string, number>;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    await aws.createTable(TABLE);
    calls = countCalls(aws.dynamoDb);
  });

  afterAll(async () => {
    await aws.stop();
  });

  const stored = async (productId: number) => {
    const item = await readItem(aws.dynamoDb, TABLE, productId);
    return item === undefined ? undefined : plainItem(item);
  };

  it('writes a run of upserts with one call, later columns winning', async () => {
    // Prepare
    const changes = [
      upsertAt(1, 10, { name: 'Laptop', description: 'fast', price: '10.00', stockQuantity: 5 }),
      upsertAt(1, 20, { name: 'Laptop Pro', description: null }),
      upsertAt(1, 30, { price: '12.00' }),
    ];
    calls.clear();

    // Act
    const result = await upsertProductGroup(aws.dynamoDb, TABLE, changes);

    // Assess
    expect(result.applied).toEqual(changes);
    expect(Object.fromEntries(calls)).toEqual({ UpdateItemCommand: 1 });
    expect(await stored(1)).toMatchObject({
      name: 'Laptop Pro',
      price: '12.00',
      stock_quantity: 5,
      cdc_position: changes[2]?.position,
    });
    expect(await stored(1)).not.toHaveProperty('description');
  });

  it('re-plans a redelivered group from the stored position and applies only the newer changes', async () => {
    // Prepare: an earlier delivery applied the first two changes
    const changes = [
      upsertAt(2, 10, { name: 'Mouse', price: '5.00', stockQuantity: 9 }),
      upsertAt(2, 20, { price: '6.00' }),
      upsertAt(2, 30, { stockQuantity: 3 }),
    ];
    await upsertProductGroup(aws.dynamoDb, TABLE, changes.slice(0, 2));
    calls.clear();

    // Act
    const result = await upsertProductGroup(aws.dynamoDb, TABLE, changes);

    // Assess
    expect(result.stale).toEqual([changes[0]]);
    expect(result.duplicates).toEqual([changes[1]]);
    expect(result.applied).toEqual([changes[2]]);
    expect(Object.fromEntries(calls)).toEqual({ UpdateItemCommand: 2, GetItemCommand: 1 });
    expect(await stored(2)).toMatchObject({
      name: 'Mouse',
      price: '6.00',
      stock_quantity: 3,
      cdc_position: changes[2]?.position,
    });
  });

  it('changes nothing when the whole group is already in', async () => {
    // Prepare
    const changes = [
      upsertAt(3, 10, { name: 'Hub', price: '5.00', stockQuantity: 1 }),
      upsertAt(3, 20, { stockQuantity: 2 }),
    ];
    await upsertProductGroup(aws.dynamoDb, TABLE, changes);
    const before = await stored(3);

    // Act
    const result = await upsertProductGroup(aws.dynamoDb, TABLE, changes);

    // Assess
    expect(result.applied).toEqual([]);
    expect(result.stale).toEqual([changes[0]]);
    expect(result.duplicates).toEqual([changes[1]]);
    expect(await stored(3)).toEqual(before);
  });
});
