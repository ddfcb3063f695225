import { paginateQuery } from '@aws-sdk/client-dynamodb';
import type { OrderItemCreated } from '../inventory/changes.js';
import { orderLineEntry } from '../inventory/order-lines.js';
import { numberValue, stringValue } from './attributes.js';
import { storedNumber, storedString } from './item-reader.js';
import { LedgerAttr } from './ledger-attributes.js';
import type { StoreContext } from './store-context.js';

/** What an update without a before image became once the ledger was asked about its line. */
export interface Recalled {
  /** The edit as a difference (quantity = new − old), ready to be recorded like any line change. */
  readonly resolved: readonly OrderItemCreated[];
  /** This very edit is in the ledger already. */
  readonly duplicates: readonly OrderItemCreated[];
  /** The ledger remembers nothing of the line (older than the lag bound, or never recorded). */
  readonly unremembered: readonly OrderItemCreated[];
  /** Old and new quantity are the same. */
  readonly unchanged: readonly OrderItemCreated[];
}

interface LineEntry {
  readonly entry: string;
  readonly quantity: number;
}

/** The ledger's entries of one order line under its product: its create and every edit still kept. */
const lineEntries = async (context: StoreContext, item: OrderItemCreated): Promise<LineEntry[]> => {
  const entries: LineEntry[] = [];
  const pages = paginateQuery(
    { client: context.client },
    {
      TableName: context.ledgerTableName,
      KeyConditionExpression: '#id = :id AND begins_with(#entry, :orderLines)',
      FilterExpression: '#line = :line',
      ExpressionAttributeNames: {
        '#id': LedgerAttr.PRODUCT_ID,
        '#entry': LedgerAttr.ENTRY,
        '#line': LedgerAttr.ORDER_ITEM_ID,
      },
      ExpressionAttributeValues: {
        ':id': numberValue(item.productId),
        ':orderLines': stringValue('O'),
        ':line': numberValue(item.orderItemId),
      },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const stored of page.Items ?? []) {
      const entry = storedString(stored, LedgerAttr.ENTRY);
      if (entry !== undefined)
        entries.push({ entry, quantity: storedNumber(stored, LedgerAttr.QUANTITY) ?? 0 });
    }
  }
  return entries;
};

/**
 * With PostgreSQL's default REPLICA IDENTITY an update of an order line carries only the new row: the old
 * quantity is the sum of what the ledger recorded of that line before this change (its create and earlier
 * edits). One query of the product's entries per such update: rare, and never on the path of new lines.
 * A snapshot row under `ledger` is settled the same way, so a line read by two snapshots (or streamed, then
 * read by an incremental snapshot) counts once: one query per snapshot line, during snapshots only.
 */
export const recallOldQuantities = async (
  context: StoreContext,
  items: readonly OrderItemCreated[],
): Promise<Recalled & { readonly ready: readonly OrderItemCreated[] }> => {
  const ready: OrderItemCreated[] = [];
  const resolved: OrderItemCreated[] = [];
  const duplicates: OrderItemCreated[] = [];
  const unremembered: OrderItemCreated[] = [];
  const unchanged: OrderItemCreated[] = [];
  for (const item of items) {
    if (item.recallOld !== true) {
      ready.push(item);
      continue;
    }
    const entries = await lineEntries(context, item);
    const own = orderLineEntry(item);
    const earlier = entries.filter(({ entry }) => entry < own);
    const { recallOld: _, ...edit } = item;
    if (entries.some(({ entry }) => entry === own)) duplicates.push(item);
    // A snapshot row of a line the ledger holds nothing of is a new line: it takes its quantity.
    else if (earlier.length === 0 && item.snapshot) ready.push(edit);
    else if (earlier.length === 0) unremembered.push(item);
    else {
      const old = earlier.reduce((sum, { quantity }) => sum + quantity, 0);
      if (old === item.quantity) unchanged.push(item);
      else resolved.push({ ...edit, quantity: item.quantity - old });
    }
  }
  return { ready: [...ready, ...resolved], resolved, duplicates, unremembered, unchanged };
};
