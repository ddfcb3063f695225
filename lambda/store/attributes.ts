import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * Names of the inventory item's attributes. The first seven are the item shape of the contract (and of the
 * Python inventory-service); the rest is constant-size bookkeeping that orders changes by commit position.
 */
export const Attr = {
  PRODUCT_ID: 'product_id',
  NAME: 'name',
  DESCRIPTION: 'description',
  PRICE: 'price',
  STOCK_QUANTITY: 'stock_quantity',
  LAST_UPDATED: 'last_updated',
  CDC_TIMESTAMP: 'cdc_timestamp',
  /** Position of the last products change applied (see inventory/position.ts). */
  CDC_POSITION: 'cdc_position',
  /** `products.stock_quantity` of that change: the previous version the stock models compare with. */
  SOURCE_STOCK: 'source_stock',
  /** Position from which order lines count against stock_quantity (last stock set, or the create). */
  STOCK_POSITION: 'stock_position',
  /**
   * The new key of a primary-key change whose description is still the old key's provisional one: the old
   * key's id, until its delete settles it (key-change-writes.ts).
   */
  AWAITING_DESCRIPTION_OF: 'awaiting_description_of',
} as const;

export const numberValue = (value: number): { N: string } => ({ N: String(value) });
export const stringValue = (value: string): { S: string } => ({ S: value });

export const INVENTORY_KEY_SCHEMA: Pick<CreateTableCommandInput, 'KeySchema' | 'AttributeDefinitions'> = {
  KeySchema: [{ AttributeName: Attr.PRODUCT_ID, KeyType: 'HASH' }],
  AttributeDefinitions: [{ AttributeName: Attr.PRODUCT_ID, AttributeType: 'N' }],
};
