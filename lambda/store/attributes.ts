/**
 * Names of the item's attributes. The first seven are the seed's item shape; the rest is bookkeeping
 * that makes every change take effect exactly once (see README, "Exactly once").
 */
export const Attr = {
  PRODUCT_ID: 'product_id',
  NAME: 'name',
  DESCRIPTION: 'description',
  PRICE: 'price',
  STOCK_QUANTITY: 'stock_quantity',
  LAST_UPDATED: 'last_updated',
  CDC_TIMESTAMP: 'cdc_timestamp',
  /** Position key of the last product change applied (sorts like LSN, source ms, offset). */
  CDC_POSITION: 'cdc_position',
  /** order_items partition → highest offset whose decrement is applied. */
  APPLIED_OFFSETS: 'applied_offsets',
  /** order_items partition → lowest offset applied live since the item was created (used by replay). */
  FIRST_OFFSETS: 'first_offsets',
  /** String set of `<topic>:<partition>:<offset>` of the dead-lettered order items that replay applied. */
  REPLAYED_RECORDS: 'replayed_records',
} as const;

export const EMPTY_MAP = { M: {} } as const;

export const numberValue = (value: number): { N: string } => ({ N: String(value) });
export const stringValue = (value: string): { S: string } => ({ S: value });
