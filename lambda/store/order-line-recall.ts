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
  // Changes of this very batch are not in the ledger yet: a line created and then edited in one batch
  // recalls its create from here (keyed by entry, so a redelivered copy already in the ledger counts once).
  const inBatch = new Map<number, Map<string, number>>();
  const remember = (item: OrderItemCreated) => {
    const lines = inBatch.get(item.orderItemId) ?? new Map<string, number>();
    lines.set(orderLineEntry(item), item.quantity);
    inBatch.set(item.orderItemId, lines);
  };
  for (const item of items) {
    if (item.recallOld !== true) {
      ready.push(item);
      remember(item);
      continue;
    }
    const own = orderLineEntry(item);
    const known = new Map<string, number>(inBatch.get(item.orderItemId));
    for (const { entry, quantity } of await lineEntries(context, item)) known.set(entry, quantity);
    const earlier = [...known].filter(([entry]) => entry < own);
    const { recallOld: _, ...edit } = item;
    if (known.has(own)) duplicates.push(item);
    // A snapshot row of a line the ledger holds nothing of is a new line: it takes its quantity.
    else if (earlier.length === 0 && item.snapshot) {
      ready.push(edit);
      remember(edit);
    } else if (earlier.length === 0) unremembered.push(item);
    else {
      const old = earlier.reduce((sum, [, quantity]) => sum + quantity, 0);
      if (old === item.quantity) unchanged.push(item);
      else {
        const difference = { ...edit, quantity: item.quantity - old };
        resolved.push(difference);
        remember(difference);
      }
    }
  }
  return { ready: [...ready, ...resolved], resolved, duplicates, unremembered, unchanged };
};
