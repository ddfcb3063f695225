import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The ledger table sits next to the inventory table and holds what readers of the inventory must not see:
 * per product one head item (the delete's position, kept for good, and a version that order lines bump
 * while the product is absent) and one entry per order line (its identity, quantity and an expiry).
 */
export const LedgerAttr = {
  PRODUCT_ID: 'product_id',
  ENTRY: 'entry',
  /** Head: bumped by every write of entries while the product is absent, so a create sees them all. */
  VERSION: 'version',
  /** Head: position of the latest delete of this product id. */
  DELETED_AT: 'deleted_at',
  /**
   * Head, after a primary-key change's delete: the description the row carried, for the new key's create
   * when it arrives later with the TOAST placeholder in its place.
   */
  CARRIED_DESCRIPTION: 'carried_description',
  /** Entry: units the change took from the stock (negative when an edit or removal gave some back). */
  QUANTITY: 'quantity',
  /** Entry: the order line's id, so an edit without a before image can recall the line's quantity. */
  ORDER_ITEM_ID: 'order_item_id',
  /** Entry: epoch seconds after which DynamoDB's TTL may remove it (the lag bound, see config.ts). */
  EXPIRES_AT: 'expires_at',
  /** Entry: `<topic>:<partition>:<offset>` of the record that first brought it, for operators. */
  RECORD: 'record',
  /** Entry recorded while its product was absent: on expiry it is checked, and dead-lettered if it never counted. */
  PENDING: 'pending',
  /** Entry, pending only: the Kafka record as delivered (JSON), so an expired one can become a dead letter. */
  SOURCE_RECORD: 'source_record',
  /** Entry, pending only: the token of the create attempt that summed it (counted iff the head lists it). */
  COUNTED_BY: 'counted_by',
  /** Head: the tokens of the creates that committed (string set; one per create, kept for good). */
  COUNTED_CREATES: 'counted_creates',
} as const;

/**
 * Where the latest `TRUNCATE products` is remembered: one item of the ledger table under a product id no
 * product can have (ids are integers), read with a product's head and checked by every create.
 */
export const TRUNCATE_MARKER_KEY = { productId: 0.5, entry: 'T' } as const;
export const TRUNCATED_AT = 'truncated_at';

/** The head sorts before every order-line entry (`O…`). */
export const HEAD_ENTRY = 'H';

export const LEDGER_TTL_ATTRIBUTE = LedgerAttr.EXPIRES_AT;

export const LEDGER_KEY_SCHEMA: Pick<CreateTableCommandInput, 'KeySchema' | 'AttributeDefinitions'> = {
  KeySchema: [
    { AttributeName: LedgerAttr.PRODUCT_ID, KeyType: 'HASH' },
    { AttributeName: LedgerAttr.ENTRY, KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: LedgerAttr.PRODUCT_ID, AttributeType: 'N' },
    { AttributeName: LedgerAttr.ENTRY, AttributeType: 'S' },
  ],
};

/** The ledger table's default name: the inventory table's with this suffix. */
export const LEDGER_TABLE_SUFFIX = '-ledger';
