import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import { Attr } from '../lambda/store/attributes.js';
import { HEAD_ENTRY, LedgerAttr } from '../lambda/store/ledger-attributes.js';
import { plainItem } from '../scripts/local/local-service.js';
import type { ProductRow } from '../test/support/debezium.js';

const BATCH_WRITE_LIMIT = 25;
const SNAPSHOT_CDC_TIMESTAMP = 1_736_899_200_000;

/**
 * The items the service would hold after the initial snapshot (`op: r` rows at `position`): the seed
 * columns plus its constant-size bookkeeping. The snapshot created each item, so its stock counts order
 * lines from that position on and the row's stock is the previous version the next change compares with.
 */
export const seedProducts = async (
  client: DynamoDBClient,
  tableName: string,
  products: readonly ProductRow[],
  /** The snapshot's position; undefined: the Python service's items, the contract's seven attributes only. */
  position: string | undefined,
): Promise<void> => {
  const items = products.map(
    (product): Record<string, AttributeValue> => ({
      [Attr.PRODUCT_ID]: { N: String(product.id) },
      [Attr.NAME]: { S: product.name },
      ...(product.description === null ? {} : { [Attr.DESCRIPTION]: { S: product.description } }),
      [Attr.PRICE]: { S: product.price },
      [Attr.STOCK_QUANTITY]: { N: String(product.stock_quantity) },
      [Attr.LAST_UPDATED]: { S: '2025-01-15T00:00:00.000Z' },
      [Attr.CDC_TIMESTAMP]: { N: String(SNAPSHOT_CDC_TIMESTAMP) },
      ...(position === undefined
        ? {}
        : {
            [Attr.CDC_POSITION]: { S: position },
            [Attr.SOURCE_STOCK]: { N: String(product.stock_quantity) },
            [Attr.STOCK_POSITION]: { S: position },
          }),
    }),
  );
  for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
    let pending: Record<string, AttributeValue>[] = items.slice(start, start + BATCH_WRITE_LIMIT);
    while (pending.length > 0) {
      const { UnprocessedItems } = await client.send(
        new BatchWriteItemCommand({
          RequestItems: { [tableName]: pending.map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
      pending = (UnprocessedItems?.[tableName] ?? []).flatMap(({ PutRequest }) =>
        PutRequest?.Item === undefined ? [] : [PutRequest.Item],
      );
    }
  }
};

/** What the seed service's item held: the columns both consumers must agree on. */
export const scanSeedColumns = async (
  client: DynamoDBClient,
  tableName: string,
): Promise<Array<Record<string, unknown>>> => {
  const rows: Array<Record<string, unknown>> = [];
  for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      const plain = plainItem(item);
      rows.push({
        product_id: plain.product_id,
        name: plain.name,
        description: plain.description,
        price: plain.price,
        stock_quantity: plain.stock_quantity,
      });
    }
  }
  return rows.sort((a, b) => Number(a.product_id) - Number(b.product_id));
};

/** Every item of a table as DynamoDB holds it (strongly consistent scan). */
export const scanItems = async (
  client: DynamoDBClient,
  tableName: string,
): Promise<Array<Record<string, AttributeValue>>> => {
  const items: Array<Record<string, AttributeValue>> = [];
  for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
    items.push(...(page.Items ?? []));
  }
  return items;
};

/** The order lines a ledger table holds, as `product entry quantity`, sorted: what both consumers recorded. */
export const scanLedgerEntries = async (client: DynamoDBClient, tableName: string): Promise<string[]> =>
  (await scanItems(client, tableName))
    .filter((item) => item[LedgerAttr.ENTRY]?.S !== HEAD_ENTRY)
    .map(
      (item) =>
        `${item[LedgerAttr.PRODUCT_ID]?.N} ${item[LedgerAttr.ENTRY]?.S} ${item[LedgerAttr.QUANTITY]?.N}`,
    )
    .sort();
