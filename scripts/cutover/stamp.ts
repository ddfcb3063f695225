import type { AttributeValue, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { StockModel } from '../../lambda/inventory/stock-model.js';
import { Attr, numberValue, stringValue } from '../../lambda/store/attributes.js';
import { RECHECKED_ATTRIBUTES } from './guard.js';
import type { StampPositions } from './source-position.js';

/**
 * What the Scan reads of each item: its key, whether it has our bookkeeping, and what a writer changes (so
 * that the stamps can be checked again at the end: guard.ts).
 */
export const SCANNED_ATTRIBUTES = RECHECKED_ATTRIBUTES;

export type ScannedItem = Readonly<Record<string, AttributeValue>>;

/** Under orders and ledger the stamp carries the products row's count; under products the row is the stock. */
export const needsSourceStock = (model: StockModel): boolean => model !== StockModel.PRODUCTS;

export const Decision = {
  /** No cdc_position: a Python item, to be stamped. */
  STAMP: 'stamp',
  /** Has cdc_position: written by this function (or stamped by an earlier run); left as it is. */
  ALREADY_STAMPED: 'already_stamped',
  /** orders/ledger, and the products row is gone: no count to record, left unstamped (see the report). */
  MISSING_IN_DATABASE: 'missing_in_database',
} as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

export type ItemPlan =
  | { readonly decision: typeof Decision.STAMP; readonly productId: string; readonly sourceStock?: number }
  | { readonly decision: Exclude<Decision, typeof Decision.STAMP>; readonly productId: string };

/**
 * Pure: what to do with one scanned item. `stocks` holds products.stock_quantity by id for the page's
 * unstamped items (undefined under products). An item without a products row is not stamped under orders
 * and ledger: stamping it would make a delete re-sent from before P stale, and keep an item the database no
 * longer has; reconcile lists it for a decision.
 */
export const planItem = (
  item: ScannedItem,
  stocks: ReadonlyMap<number, number> | undefined,
): ItemPlan | undefined => {
  const productId = item[Attr.PRODUCT_ID]?.N;
  if (productId === undefined) return undefined;
  if (item[Attr.CDC_POSITION] !== undefined) return { decision: Decision.ALREADY_STAMPED, productId };
  if (stocks === undefined) return { decision: Decision.STAMP, productId };
  const sourceStock = stocks.get(Number(productId));
  if (sourceStock === undefined) return { decision: Decision.MISSING_IN_DATABASE, productId };
  return { decision: Decision.STAMP, productId, sourceStock };
};

/**
 * The one conditional write per Python item: only if the item is still there and still has no cdc_position,
 * so a run never overwrites what the function (or a concurrent run) wrote, and never creates an item that was
 * deleted since the Scan.
 */
export const stampUpdate = (
  tableName: string,
  plan: Extract<ItemPlan, { decision: typeof Decision.STAMP }>,
  positions: StampPositions,
): UpdateItemCommandInput => {
  const names: Record<string, string> = {
    '#id': Attr.PRODUCT_ID,
    '#cdc': Attr.CDC_POSITION,
    '#stock': Attr.STOCK_POSITION,
  };
  const values: Record<string, AttributeValue> = {
    ':cdc': stringValue(positions.cdcPosition),
    ':stock': stringValue(positions.stockPosition),
  };
  const sets = ['#cdc = :cdc', '#stock = :stock'];
  if (plan.sourceStock !== undefined) {
    names['#source'] = Attr.SOURCE_STOCK;
    values[':source'] = numberValue(plan.sourceStock);
    sets.push('#source = :source');
  }
  return {
    TableName: tableName,
    Key: { [Attr.PRODUCT_ID]: { N: plan.productId } },
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: 'attribute_exists(#id) AND attribute_not_exists(#cdc)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
};
