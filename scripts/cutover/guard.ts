import { type AttributeValue, type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import type { PositionKey } from '../../lambda/inventory/changes.js';
import { Attr } from '../../lambda/store/attributes.js';
import { LedgerAttr } from '../../lambda/store/ledger-attributes.js';

type Item = Readonly<Record<string, AttributeValue>>;

/** The newest position the tables record, and where: what the table already reflects. */
export interface Reflected {
  readonly position: PositionKey;
  readonly productId: string;
  readonly what: string;
}

const isMissingTable = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ResourceNotFoundException';

async function* scan(client: DynamoDBClient, tableName: string, attributes: readonly string[]) {
  const pages = paginateScan(
    { client },
    {
      TableName: tableName,
      ConsistentRead: true,
      ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name])),
    },
  );
  for await (const page of pages) yield* page.Items ?? [];
}

/**
 * The newest change the function (or an earlier cutover) recorded: items' `cdc_position`, the ledger's
 * order-line entries and delete positions. The Python service records none: what its items reflect beyond
 * these is invisible here (docs/cutover.md, "What the tool can and cannot detect").
 */
export const newestReflected = async (
  client: DynamoDBClient,
  tableName: string,
  ledgerTableName: string,
): Promise<Reflected | undefined> => {
  let newest: Reflected | undefined;
  const consider = (position: string | undefined, productId: string | undefined, what: string) => {
    if (position === undefined || productId === undefined) return;
    if (newest === undefined || position > newest.position) newest = { position, productId, what };
  };
  try {
    for await (const item of scan(client, tableName, [Attr.PRODUCT_ID, Attr.CDC_POSITION]))
      consider(item[Attr.CDC_POSITION]?.S, item[Attr.PRODUCT_ID]?.N, 'cdc_position');
  } catch (error) {
    // The run's own first read of the table says so, in its words (inventory-table.ts).
    if (isMissingTable(error)) return undefined;
    throw error;
  }
  try {
    const attributes = [LedgerAttr.PRODUCT_ID, LedgerAttr.ENTRY, LedgerAttr.DELETED_AT];
    for await (const entry of scan(client, ledgerTableName, attributes)) {
      const key = entry[LedgerAttr.ENTRY]?.S ?? '';
      const productId = entry[LedgerAttr.PRODUCT_ID]?.N;
      if (key.startsWith('O')) consider(key.slice(1, key.indexOf('#')), productId, 'an order line applied');
      consider(entry[LedgerAttr.DELETED_AT]?.S, productId, 'a delete applied');
    }
  } catch (error) {
    // No ledger yet (the stack is deployed with it, a table made by hand may not be): nothing recorded there.
    if (!isMissingTable(error)) throw error;
  }
  return newest;
};

/** What a write to an item changes: the stamp compares it before and after. */
export const RECHECKED_ATTRIBUTES = [
  Attr.PRODUCT_ID,
  Attr.CDC_POSITION,
  Attr.STOCK_QUANTITY,
  Attr.LAST_UPDATED,
  Attr.CDC_TIMESTAMP,
  Attr.PRICE,
  Attr.NAME,
] as const;

/** The item's content apart from the stamp: any writer (the Python service) changes it, or erases the stamp. */
export const contentSignature = (item: Item): string =>
  JSON.stringify(
    RECHECKED_ATTRIBUTES.filter((name) => name !== Attr.CDC_POSITION).map((name) => item[name] ?? null),
  );

/** Stamped items that lost their stamp or were written over since (ids, sorted). */
export interface RecheckResult {
  readonly checked: number;
  readonly erased: readonly string[];
  readonly writtenOver: readonly string[];
  readonly gone: readonly string[];
}

/**
 * Reads the table again and compares every item this run stamped with what it was when stamped: the stamp
 * must still be P's and the content the same. A writer still running (the Python service, a mapping started
 * early) shows here; one that starts after the re-check does not.
 */
export const recheckStamps = async (
  client: DynamoDBClient,
  tableName: string,
  stamped: ReadonlyMap<string, string>,
  cdcPosition: PositionKey,
): Promise<RecheckResult> => {
  const erased: string[] = [];
  const writtenOver: string[] = [];
  const seen = new Set<string>();
  for await (const item of scan(client, tableName, RECHECKED_ATTRIBUTES)) {
    const id = item[Attr.PRODUCT_ID]?.N;
    const before = id === undefined ? undefined : stamped.get(id);
    if (id === undefined || before === undefined) continue;
    seen.add(id);
    if (item[Attr.CDC_POSITION]?.S !== cdcPosition) erased.push(id);
    else if (contentSignature(item) !== before) writtenOver.push(id);
  }
  const byId = (a: string, b: string) => Number(a) - Number(b);
  const gone = [...stamped.keys()].filter((id) => !seen.has(id));
  return {
    checked: stamped.size,
    erased: erased.sort(byId),
    writtenOver: writtenOver.sort(byId),
    gone: gone.sort(byId),
  };
};
