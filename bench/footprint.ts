import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HEAD_ENTRY, LedgerAttr } from '../lambda/store/ledger-attributes.js';
import { itemKeyOf, reportedCapacity } from './instrument.js';
import { itemBytes, KB, writeUnits } from './item-size.js';
import { scanItems } from './tables.js';
import type { ConsumerRun } from './throughput.js';

/**
 * An item this close below a KB boundary would make its final size a poor stand-in for the sizes each
 * write saw (a few bytes more would cost another WCU); the bench's items are a quarter KB.
 */
const BOUNDARY_MARGIN_BYTES = 128;

/** What a run left in its tables and what its writes cost. */
export interface Footprint {
  readonly records: number;
  readonly items: number;
  readonly meanItemBytes: number;
  readonly maxItemBytes: number;
  /** Order-line entries in the ledger table (its heads are counted apart). */
  readonly entries: number;
  readonly meanEntryBytes: number;
  readonly heads: number;
  /** By DynamoDB's documented rules (see priceWrites), all tables. */
  readonly wcu: number;
  readonly inventoryWcu: number;
  readonly ledgerWcu: number;
  /** WCU of the writes made by order_items invocations (entries and item ADDs, or the loop's ADDs). */
  readonly orderItemsWcu: number;
  /** Write actions priced, and ConditionCheck actions (a check writes nothing: not in WCU). */
  readonly writeActions: number;
  readonly conditionChecks: number;
  /** Every touched item sat well inside one KB step, so its final size gives each write's exact WCU. */
  readonly exact: boolean;
  /** What DynamoDB Local itself returned in ConsumedCapacity for the same writes. */
  readonly reportedWcu: number;
  /** Write calls that failed (not priced). */
  readonly failedWrites: number;
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;

const isHead = (item: Record<string, AttributeValue>): boolean => item[LedgerAttr.ENTRY]?.S === HEAD_ENTRY;

/**
 * Scans the run's two tables for item sizes (item-size.ts) and prices every item each successful write
 * touched by DynamoDB's documented rules: 1 WCU per KB of item size, rounded up, for the larger of the item
 * before and after the write; twice that inside a transaction. The size used is the item's size after the
 * run: this workload's items only change constant-size bookkeeping, columns of similar length and the
 * stock, so every version of an item falls in the same KB step as its final one (checked: `exact`).
 */
export const measureFootprint = async (
  client: DynamoDBClient,
  run: ConsumerRun,
  records: number,
): Promise<Footprint> => {
  const [items, ledger] = await Promise.all([
    scanItems(client, run.tableName),
    run.ledgerTableName === undefined ? [] : scanItems(client, run.ledgerTableName),
  ]);
  const sizes = new Map<string, number>();
  for (const [table, scanned] of [
    [run.tableName, items],
    [run.ledgerTableName, ledger],
  ] as const) {
    for (const item of scanned) sizes.set(`${table}\u0000${itemKeyOf(item)}`, itemBytes(item));
  }
  const byTable = new Map<string, number>();
  let orderItemsWcu = 0;
  let exact = true;
  let writeActions = 0;
  let conditionChecks = 0;
  for (const action of run.probe.writeLog) {
    if (action.kind === 'check') {
      conditionChecks += 1;
      continue;
    }
    writeActions += 1;
    const bytes = sizes.get(`${action.table}\u0000${action.key}`);
    if (bytes === undefined || Math.ceil(bytes / KB) * KB - bytes < BOUNDARY_MARGIN_BYTES) exact = false;
    const wcu = writeUnits(bytes ?? 0, action.transactional);
    byTable.set(action.table, (byTable.get(action.table) ?? 0) + wcu);
    if (action.tag.endsWith('order_items')) orderItemsWcu += wcu;
  }
  const itemSizes = items.map(itemBytes);
  const entries = ledger.filter((item) => !isHead(item));
  const inventoryWcu = byTable.get(run.tableName) ?? 0;
  const ledgerWcu = run.ledgerTableName === undefined ? 0 : (byTable.get(run.ledgerTableName) ?? 0);
  return {
    records,
    items: items.length,
    meanItemBytes: mean(itemSizes),
    maxItemBytes: Math.max(0, ...itemSizes),
    entries: entries.length,
    meanEntryBytes: mean(entries.map(itemBytes)),
    heads: ledger.length - entries.length,
    wcu: [...byTable.values()].reduce((sum, wcu) => sum + wcu, 0),
    inventoryWcu,
    ledgerWcu,
    orderItemsWcu,
    writeActions,
    conditionChecks,
    exact,
    reportedWcu: reportedCapacity(run.probe),
    failedWrites: run.probe.failedWrites,
  };
};
