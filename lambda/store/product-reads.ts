import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { OrderItemCreated, PositionKey } from '../inventory/changes.js';
import { orderLineEntry } from '../inventory/order-lines.js';
import type { StoredProduct } from '../inventory/stored-product.js';
import { Attr, numberValue, stringValue } from './attributes.js';
import { type StoredItem, storedNumber, storedProductFromItem, storedString } from './item-reader.js';
import { HEAD_ENTRY, LedgerAttr, TRUNCATE_MARKER_KEY, TRUNCATED_AT } from './ledger-attributes.js';
import type { StoreContext } from './store-context.js';

/** A product as planning sees it, plus the ledger head's version that a create or reset must match. */
export interface ProductSnapshot {
  readonly stored: StoredProduct;
  readonly headVersion: number | undefined;
  /** What the delete half of a primary-key change carried for the new key (key-change-writes.ts). */
  readonly carried?: AttributeValue;
  /** Position of the latest TRUNCATE of products, which every create must be newer than. */
  readonly truncatedAt: PositionKey | undefined;
  readonly item: StoredItem | undefined;
}

export const truncateMarkerKey = () => ({
  [LedgerAttr.PRODUCT_ID]: numberValue(TRUNCATE_MARKER_KEY.productId),
  [LedgerAttr.ENTRY]: stringValue(TRUNCATE_MARKER_KEY.entry),
});

const optionalCarried = (carried: AttributeValue | undefined) => (carried === undefined ? {} : { carried });

const latest = (a: PositionKey | undefined, b: PositionKey | undefined): PositionKey | undefined =>
  a === undefined ? b : b === undefined || a >= b ? a : b;

/** An item the latest TRUNCATE removed, whose sweep has not deleted it yet: it is gone, logically. */
const isOlder = (item: StoredItem | undefined, truncatedAt: PositionKey): boolean => {
  if (item === undefined) return false;
  const position = storedString(item, Attr.CDC_POSITION);
  return position === undefined || position < truncatedAt;
};

/**
 * Strongly consistent reads of the item, its ledger head and the TRUNCATE marker, in parallel. An item
 * older than the latest TRUNCATE reads as absent, deleted at the TRUNCATE's position, unless the caller
 * removes items itself (`physical`: a delete, the TRUNCATE's sweep).
 */
export const readProduct = async (
  context: StoreContext,
  productId: number,
  options: { readonly physical?: boolean } = {},
): Promise<ProductSnapshot> => {
  const [itemAt, head, marker] = await Promise.all([
    context.client.send(
      new GetItemCommand({
        TableName: context.tableName,
        Key: { [Attr.PRODUCT_ID]: numberValue(productId) },
        ConsistentRead: true,
      }),
    ),
    context.client.send(
      new GetItemCommand({
        TableName: context.ledgerTableName,
        Key: { [LedgerAttr.PRODUCT_ID]: numberValue(productId), [LedgerAttr.ENTRY]: stringValue(HEAD_ENTRY) },
        ConsistentRead: true,
      }),
    ),
    context.client.send(
      new GetItemCommand({
        TableName: context.ledgerTableName,
        Key: truncateMarkerKey(),
        ConsistentRead: true,
      }),
    ),
  ]);
  const truncatedAt = storedString(marker.Item, TRUNCATED_AT);
  const removed = options.physical !== true && truncatedAt !== undefined && isOlder(itemAt.Item, truncatedAt);
  const item = removed ? undefined : itemAt.Item;
  const deletedAt = storedString(head.Item, LedgerAttr.DELETED_AT);
  return {
    item,
    headVersion: storedNumber(head.Item, LedgerAttr.VERSION),
    ...optionalCarried(head.Item?.[LedgerAttr.CARRIED_DESCRIPTION]),
    truncatedAt,
    stored: {
      ...storedProductFromItem(item),
      deletedAt: latest(deletedAt, item === undefined ? truncatedAt : undefined),
    },
  };
};

/** Whether the ledger already holds this order line (its identity): for replay's dry run. */
export const hasOrderLine = async (
  context: StoreContext,
  item: Pick<OrderItemCreated, 'productId' | 'position' | 'orderItemId'>,
): Promise<boolean> => {
  const { Item } = await context.client.send(
    new GetItemCommand({
      TableName: context.ledgerTableName,
      Key: {
        [LedgerAttr.PRODUCT_ID]: numberValue(item.productId),
        [LedgerAttr.ENTRY]: stringValue(orderLineEntry(item)),
      },
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
};
