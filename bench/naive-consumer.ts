import {
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { Config } from '../lambda/config.js';
import { decodeRecord } from '../lambda/decode/decode-record.js';
import { flattenRecords, type KafkaEvent } from '../lambda/decode/kafka-event.js';
import type { OrderItemCreated } from '../lambda/inventory/changes.js';
import { orderLineEntry } from '../lambda/inventory/order-lines.js';
import { StockModel } from '../lambda/inventory/stock-model.js';
import { Attr, numberValue, stringValue } from '../lambda/store/attributes.js';
import { LedgerAttr } from '../lambda/store/ledger-attributes.js';
import { headKey, itemKey, upsertProductGroup } from '../lambda/store/product-writes.js';
import type { StoreContext } from '../lambda/store/store-context.js';

export type NaiveConfig = Pick<
  Config,
  'productsTopic' | 'orderItemsTopic' | 'priceScale' | 'sourceEpoch' | 'stockModel'
>;

const isConditionFailure = (code: string | undefined): boolean => code === 'ConditionalCheckFailed';

/**
 * One order line, the way a per-record consumer with a ledger would write it: one transaction of its
 * ledger entry (new identity only) and the stock decrement, the decrement conditional on the line counting
 * (the item exists and the line committed at or after the stock's position, as planOrderLines decides).
 * When only that condition fails, the line is in the stock's count already (or its product is absent) and
 * the entry is recorded alone, with the ledger head's version bump the store makes for an absent product.
 */
const applyOrderLine = async (context: StoreContext, item: OrderItemCreated): Promise<void> => {
  const entry = {
    Put: {
      TableName: context.ledgerTableName,
      Item: {
        [LedgerAttr.PRODUCT_ID]: numberValue(item.productId),
        [LedgerAttr.ENTRY]: stringValue(orderLineEntry(item)),
        [LedgerAttr.QUANTITY]: numberValue(item.quantity),
        [LedgerAttr.EXPIRES_AT]: numberValue(
          Math.floor(context.now().getTime() / 1000) + context.ledgerRetentionSeconds,
        ),
        [LedgerAttr.RECORD]: stringValue(
          `${item.record.topic}:${item.record.partition}:${item.record.offset}`,
        ),
      },
      ConditionExpression: 'attribute_not_exists(#entry)',
      ExpressionAttributeNames: { '#entry': LedgerAttr.ENTRY },
    },
  };
  try {
    await context.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          entry,
          {
            Update: {
              TableName: context.tableName,
              Key: itemKey(item.productId),
              UpdateExpression: 'SET #stock = if_not_exists(#stock, :zero) - :qty',
              ConditionExpression:
                'attribute_exists(#id) AND (attribute_not_exists(#from) OR #from <= :position)',
              ExpressionAttributeNames: {
                '#stock': Attr.STOCK_QUANTITY,
                '#id': Attr.PRODUCT_ID,
                '#from': Attr.STOCK_POSITION,
              },
              ExpressionAttributeValues: {
                ':zero': numberValue(0),
                ':qty': numberValue(item.quantity),
                ':position': stringValue(item.position),
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }),
    );
    return;
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [entryReason, itemReason] = error.CancellationReasons ?? [];
    // A duplicate (its identity is in the ledger) changes nothing; anything but the stock condition is real.
    if (isConditionFailure(entryReason?.Code)) return;
    if (!isConditionFailure(itemReason?.Code)) throw error;
    if (itemReason?.Item !== undefined) {
      await context.client.send(new PutItemCommand(entry.Put));
      return;
    }
  }
  await context.client.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        entry,
        {
          Update: {
            TableName: context.ledgerTableName,
            Key: headKey(item.productId),
            UpdateExpression: 'ADD #version :one',
            ExpressionAttributeNames: { '#version': LedgerAttr.VERSION },
            ExpressionAttributeValues: { ':one': numberValue(1) },
          },
        },
      ],
    }),
  );
};

/**
 * The baseline: what a consumer without batching does, strictly one record after the other in delivery
 * order, no coalescing and no concurrency, with the same exactly-once semantics as the service (STOCK_MODEL
 * orders): an order line is one conditional transaction (see applyOrderLine, a second call when it does not
 * count); a products change is the store's own read, plan and conditional write for a run of one change,
 * which is what the service's store would do for it alone. Decoding is the service's decoder.
 */
export const applyNaively = async (
  context: StoreContext,
  config: NaiveConfig,
  event: KafkaEvent,
): Promise<void> => {
  if (config.stockModel !== StockModel.ORDERS) throw new Error('the naive loop models STOCK_MODEL=orders');
  for (const record of flattenRecords(event)) {
    const change = decodeRecord(record, config);
    if (change.type === 'Skipped') continue;
    if (change.type === 'OrderItemCreated') await applyOrderLine(context, change);
    else if (change.type === 'ProductUpserted') await upsertProductGroup(context, [change]);
    else throw new Error('the bench workload has no deletes');
  }
};
