import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { Attr } from '../lambda/store/attributes.js';

/** What the loop needs to know about the deployment: the table and which topic is which. */
export interface PythonLoopTarget {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly productsTopic: string;
  readonly orderItemsTopic: string;
}

/** The part of a Lambda Kafka event the loop reads: records by `topic-partition`, values base64. */
export interface LoopEvent {
  readonly records: Readonly<
    Record<string, ReadonlyArray<{ readonly topic: string; readonly value?: string | null }>>
  >;
}

interface Envelope {
  readonly op?: string;
  readonly ts_ms?: number;
  readonly after?: Readonly<Record<string, unknown>> | null;
  readonly payload?: Envelope;
}

/** The Python service's item: the seven attributes of the contract, nothing else. */
const productItem = (
  row: Readonly<Record<string, unknown>>,
  tsMs: number,
): Record<string, AttributeValue> => ({
  [Attr.PRODUCT_ID]: { N: String(row.id) },
  [Attr.NAME]: { S: String(row.name) },
  ...(typeof row.description === 'string' ? { [Attr.DESCRIPTION]: { S: row.description } } : {}),
  [Attr.PRICE]: { S: String(row.price) },
  [Attr.STOCK_QUANTITY]: { N: String(row.stock_quantity) },
  [Attr.LAST_UPDATED]: { S: new Date(tsMs).toISOString() },
  [Attr.CDC_TIMESTAMP]: { N: String(tsMs) },
});

/**
 * The anchor: the Python inventory-service's consumer loop as it ran before this function. One record at a
 * time, in delivery order: base64 → JSON → one `PutItem` of the whole item for a products row, one
 * `UpdateItem ADD stock_quantity -quantity` for a created order line. No read, no condition, no ledger, no
 * batching and no concurrency: not exactly once (a redelivered order line subtracts again, a price edit puts
 * the row's stock_quantity back), which is what the handler replaced. Its calls go through the same SDK
 * client factory and the same injected latency as the handler's.
 */
export const applyLikeThePythonService = async (
  target: PythonLoopTarget,
  event: LoopEvent,
): Promise<void> => {
  for (const records of Object.values(event.records)) {
    for (const record of records) {
      if (record.value === undefined || record.value === null) continue;
      const parsed = JSON.parse(Buffer.from(record.value, 'base64').toString('utf8')) as Envelope;
      const envelope = parsed.payload ?? parsed;
      const { op, after } = envelope;
      if (after === null || after === undefined || (op !== 'c' && op !== 'u' && op !== 'r')) continue;
      if (record.topic === target.productsTopic) {
        await target.client.send(
          new PutItemCommand({ TableName: target.tableName, Item: productItem(after, envelope.ts_ms ?? 0) }),
        );
      } else if (record.topic === target.orderItemsTopic && op === 'c') {
        await target.client.send(
          new UpdateItemCommand({
            TableName: target.tableName,
            Key: { [Attr.PRODUCT_ID]: { N: String(after.product_id) } },
            UpdateExpression: 'ADD #stock :delta',
            ExpressionAttributeNames: { '#stock': Attr.STOCK_QUANTITY },
            ExpressionAttributeValues: { ':delta': { N: String(-Number(after.quantity)) } },
          }),
        );
      }
    }
  }
};
