import { StockModel } from '../../lambda/inventory/stock-model.js';
import { PRODUCTS_TABLE } from './database.js';
import { SnapshotEffect } from './snapshot-effect.js';

/**
 * Products rows next to each other in id order (no row in between that agrees) whose items differ: `first` and
 * `last` are ids, `rows` how many rows the run holds. A run of three or more becomes `id BETWEEN first AND
 * last`, which selects exactly those rows (and any created since, which the pipeline sends anyway).
 */
export interface IdRun {
  readonly first: number;
  readonly last: number;
  readonly rows: number;
}

export const SignalFormat = {
  /** Debezium 2.4 and later: `additional-conditions`, a list of {data-collection, filter}. */
  CURRENT: 'current',
  /** Debezium 2.0 to 2.3: `additional-condition`, one filter string (removed in 3.0). */
  LEGACY: 'legacy',
} as const;
export type SignalFormat = (typeof SignalFormat)[keyof typeof SignalFormat];

export interface SignalOptions {
  /** Schema-qualified signalling table, e.g. public.debezium_signal (validated by the options). */
  readonly signalTable: string;
  /** Size of the signalling table's `data` column: each signal's JSON stays within it. */
  readonly dataSize: number;
  readonly format: SignalFormat;
  /** Unique per run; signal ids are `<prefix>-<n>`, within the documented VARCHAR(42). */
  readonly idPrefix: string;
}

export const DEFAULT_SIGNAL_TABLE = 'public.debezium_signal';
export const DEFAULT_SIGNAL_DATA_SIZE = 2048;
/** Room for the JSON around the filter and a few ids. */
export const MIN_SIGNAL_DATA_SIZE = 256;

/** `reconcile-20261202T203120Z-3f9a`: 30 characters, so `-<n>` fits VARCHAR(42) for any realistic n. */
export const signalIdPrefix = (now: Date, random: () => number = Math.random): string => {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `reconcile-${stamp}-${suffix}`;
};

type Term = { readonly id: number } | { readonly from: number; readonly to: number };

/** The runs as filter terms: single ids, or ranges of three rows or more. */
export const filterTerms = (runs: readonly IdRun[]): Term[] =>
  runs.flatMap((run): Term[] => {
    if (run.rows >= 3) return [{ from: run.first, to: run.last }];
    return run.first === run.last ? [{ id: run.first }] : [{ id: run.first }, { id: run.last }];
  });

/**
 * Debezium appends the filter to its chunk query with AND and no parentheses, so the filter is always
 * parenthesised: `(id IN (1002,1007) OR id BETWEEN 2000 AND 2450)`.
 */
export const renderFilter = (ids: readonly number[], ranges: ReadonlyArray<readonly [number, number]>) => {
  const parts = [
    ...(ids.length === 0 ? [] : [`id IN (${ids.join(',')})`]),
    ...ranges.map(([from, to]) => `id BETWEEN ${from} AND ${to}`),
  ];
  return `(${parts.join(' OR ')})`;
};

export const signalData = (filter: string, format: SignalFormat): string => {
  const collections = { 'data-collections': [PRODUCTS_TABLE], type: 'incremental' };
  return JSON.stringify(
    format === SignalFormat.CURRENT
      ? { ...collections, 'additional-conditions': [{ 'data-collection': PRODUCTS_TABLE, filter }] }
      : { ...collections, 'additional-condition': filter },
  );
};

/** Groups terms into filters whose signal JSON fits `dataSize` characters. */
const groupTerms = (terms: readonly Term[], options: SignalOptions): string[] => {
  // The filter holds digits, letters, spaces, commas and parentheses only: JSON adds nothing to its length.
  const overhead = signalData('', options.format).length;
  const filters: string[] = [];
  let ids: number[] = [];
  let ranges: Array<[number, number]> = [];
  let length = '()'.length;
  const lengthOf = (term: Term): number => {
    const parts = ids.length + ranges.length;
    if ('id' in term) {
      return ids.length > 0 ? `,${term.id}`.length : (parts > 0 ? 4 : 0) + `id IN (${term.id})`.length;
    }
    return (parts > 0 ? 4 : 0) + `id BETWEEN ${term.from} AND ${term.to}`.length;
  };
  const flush = () => {
    if (ids.length + ranges.length > 0) filters.push(renderFilter(ids, ranges));
    ids = [];
    ranges = [];
    length = '()'.length;
  };
  for (const term of terms) {
    if (ids.length + ranges.length > 0 && overhead + length + lengthOf(term) > options.dataSize) flush();
    length += lengthOf(term);
    if ('id' in term) ids.push(term.id);
    else ranges.push([term.from, term.to]);
  }
  flush();
  return filters;
};

const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The INSERT statements that ask the connector for an incremental snapshot of exactly these rows. */
export const signalStatements = (runs: readonly IdRun[], options: SignalOptions): string[] =>
  groupTerms(filterTerms(runs), options).map(
    (filter, index) =>
      `INSERT INTO ${options.signalTable} (id, type, data) VALUES (${sqlString(`${options.idPrefix}-${index + 1}`)}, ` +
      `'execute-snapshot', ${sqlString(signalData(filter, options.format))});`,
  );

/** Ids for a comment line: the first `cap`, then how many more. */
export const idList = (ids: readonly (number | string)[], total: number): string =>
  `${ids.join(', ')}${total > ids.length ? `, … and ${total - ids.length} more (see the report)` : ''}`;

export interface RepairPlan {
  readonly runs: readonly IdRun[];
  readonly resendCount: number;
  /**
   * Products whose stock differs under orders or ledger: sending the row again does not recompute a stock from
   * order lines (the function compares the row's count with the one it applied), whatever else it corrects.
   */
  readonly stockOff: { readonly ids: readonly number[]; readonly total: number };
  /** Items without a products row: nothing the connector could send. */
  readonly notInDatabase: { readonly ids: readonly string[]; readonly total: number };
  /** The products sent again, by what their snapshot row does to the stock. */
  readonly effects?: Partial<
    Record<SnapshotEffect, { readonly ids: readonly number[]; readonly total: number }>
  >;
  /**
   * Products that differ but are not sent again: their row would set a stock the database cannot confirm
   * (orders, ledger: a new count at the snapshot's point while order lines exist). `truth` when the rows
   * prove the stock (ledger).
   */
  readonly unrepairable?: {
    readonly ids: ReadonlyArray<{ readonly id: number; readonly truth?: number }>;
    readonly total: number;
  };
}

const EFFECT_TEXT: Record<SnapshotEffect, string> = {
  [SnapshotEffect.SET]: 'set the stock to products.stock_quantity (the row is the stock: exact)',
  [SnapshotEffect.KEEP]:
    'leave the stock as it is (the row carries the count last applied) and correct name, description, price',
  [SnapshotEffect.MOVE]:
    'move the stock by the difference between the row and the count last applied (a receipt the table missed), to exactly products.stock_quantity − SUM(order_items.quantity)',
  [SnapshotEffect.RESET]:
    'create or set the stock to products.stock_quantity as a count at the snapshot point (exact: no order lines)',
};

/** What the snapshot rows do to the stock, and what is not sent because it would not be exact. */
const effectLines = (plan: RepairPlan, model: StockModel | undefined): string[] => {
  const lines: string[] = [];
  for (const effect of Object.values(SnapshotEffect)) {
    const sample = plan.effects?.[effect];
    if (sample === undefined || sample.total === 0) continue;
    lines.push(`-- The snapshot row will ${EFFECT_TEXT[effect]}: ${idList(sample.ids, sample.total)}`);
  }
  const unrepairable = plan.unrepairable;
  if (unrepairable !== undefined && unrepairable.total > 0) {
    const ids = unrepairable.ids.map(({ id, truth }) =>
      truth === undefined ? `${id}` : `${id} (to ${truth})`,
    );
    lines.push(
      '-- NOT sent again: their row would become a new count at the snapshot point, less only the order lines',
      '-- committed after that point, dropping those committed between the last count and it. ' +
        (model === StockModel.LEDGER
          ? 'Under ledger the stock is exactly'
          : 'Repair them by a stock-take in the shop (UPDATE products SET stock_quantity = <counted> WHERE'),
      model === StockModel.LEDGER
        ? '-- products.stock_quantity − SUM(order_items.quantity), shown in brackets: set stock_quantity to it and source_stock to products.stock_quantity on the item once the pipeline has caught up:'
        : "-- id = …): the function applies it as a new count, exactly, with the row's other columns:",
      `-- ${idList(ids, unrepairable.total)}`,
    );
  }
  return lines;
};

/** The whole --repair-sql output: comments that say what it does and what it cannot, then the signals. */
export const repairScript = (
  plan: RepairPlan,
  options: SignalOptions,
  heading: string,
  model?: StockModel,
): { text: string; statements: string[] } => {
  const statements = signalStatements(plan.runs, options);
  const lines = [`-- ${heading}`];
  if (statements.length === 0) {
    lines.push('-- Nothing to send again through the connector.');
  } else {
    lines.push(
      `-- ${plan.resendCount} product(s) to send again through the connector: an incremental snapshot of ` +
        `${PRODUCTS_TABLE} limited to them, in ${statements.length} signal(s).`,
      '-- Run on the PRIMARY (the connector reads signals from the WAL, a replica is read only), as a user with',
      `-- INSERT on ${options.signalTable}. The connector needs signal.data.collection=${options.signalTable}`,
      '-- and the table in its publication: docs/operations.md, "Reconcile". Run reconcile again once the',
      '-- snapshot has been consumed (the connector logs "Incremental snapshot completed" or similar).',
      ...statements,
    );
  }
  lines.push(...effectLines(plan, model));
  if (plan.stockOff.total > 0) {
    lines.push(
      '-- Stock not recomputed by sending the row again: the row carries the count, not the order lines (and a',
      '-- snapshot of order_items would count them twice). Look for dead-lettered order lines (npm run replay --',
      `-- --dry-run), or set the count by a stock-take under orders: ${idList(plan.stockOff.ids, plan.stockOff.total)}`,
    );
  }
  if (plan.notInDatabase.total > 0) {
    lines.push(
      '-- In the table but not in the database (no row to send; the delete was lost): check each, then remove them',
      `-- for good with npm run reconcile -- --delete-missing: ${idList(plan.notInDatabase.ids, plan.notInDatabase.total)}`,
    );
  }
  return { text: `${lines.join('\n')}\n`, statements };
};
