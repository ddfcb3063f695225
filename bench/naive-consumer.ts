import { type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { KafkaEvent } from '../lambda/decode/kafka-event.js';
import { Attr } from '../lambda/store/attributes.js';
import { PRODUCTS_TOPIC } from '../test/support/debezium.js';

interface NaiveRecord {
  readonly topic: string;
  readonly value: string | null;
}

const decode = (base64: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as Record<string, unknown>;

/**
 * The baseline: what a consumer without batching does, one DynamoDB call per record, strictly in delivery
 * order, no coalescing and no concurrency (and, unlike the service, no idempotency guards either, which
 * only flatters it). A product change is a PutItem of the row, an order item an UpdateItem of the stock.
 */
export const applyNaively = async (client: DynamoDBClient, tableName: string, event: KafkaEvent) => {
  for (const records of Object.values(event.records) as ReadonlyArray<readonly NaiveRecord[]>) {
    for (const record of records) {
      if (record.value === null) continue;
      const change = decode(record.value);
      const row = change.after as Record<string, unknown>;
      if (record.topic === PRODUCTS_TOPIC) {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              [Attr.PRODUCT_ID]: { N: String(row.id) },
              [Attr.NAME]: { S: String(row.name) },
              ...(typeof row.description === 'string' ? { [Attr.DESCRIPTION]: { S: row.description } } : {}),
              [Attr.PRICE]: { S: String(row.price) },
              [Attr.STOCK_QUANTITY]: { N: String(row.stock_quantity) },
              [Attr.LAST_UPDATED]: { S: new Date(Number(row.updated_at) / 1000).toISOString() },
            },
          }),
        );
      } else {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { [Attr.PRODUCT_ID]: { N: String(row.product_id) } },
            UpdateExpression: 'SET #stock = #stock - :qty',
            ExpressionAttributeNames: { '#stock': Attr.STOCK_QUANTITY },
            ExpressionAttributeValues: { ':qty': { N: String(row.quantity) } },
          }),
        );
      }
    }
  }
};
