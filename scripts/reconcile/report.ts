import type { StockModel } from '../../lambda/inventory/stock-model.js';
import type { CliIo } from '../cli/run-cli.js';
import { StatusLine } from '../cli/status-line.js';
import { formatTable } from '../cli/table.js';
import { type Field, MODEL_CHECKS, type ModelChecks, Status, type TableValue } from './compare.js';
import type { DeleteMissingResult } from './delete-missing.js';
import type { Drift, ReconcileCounts } from './tally.js';

export interface ReconcileReport {
  readonly tableName: string;
  /** Where the table is: connection.description. */
  readonly tableWhere: string;
  readonly database: string;
  readonly stockModel: StockModel;
  readonly counts: ReconcileCounts;
  readonly products: readonly Drift[];
  /** Products that differ beyond --max-listed: counted, not listed. */
  readonly unlisted: number;
  readonly maxListed: number;
  /** First ids of the products with no difference found whose stock is confirmed within bounds only. */
  readonly withinBoundsIds?: readonly number[];
  readonly startedAt: Date;
  readonly durationMs: number;
}

export const driftCount = (counts: ReconcileCounts): number =>
  counts.missingFromTable + counts.notInDatabase + counts.different;

const MAX_CELL = 60;

const clip = (text: string): string => (text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text);

/** Strings quoted (so that spaces and types show), numbers plain, an absent attribute as such. */
export const showTable = (value: TableValue): string => {
  if (value === null) return '(absent)';
  if (typeof value === 'string') return clip(JSON.stringify(value));
  if (typeof value === 'number') return String(value);
  return clip(JSON.stringify(value));
};

const showDatabase = (value: string | number | null): string => {
  if (value === null) return 'NULL';
  return typeof value === 'string' ? clip(JSON.stringify(value)) : String(value);
};

const summaryOfItem = (table: Readonly<Record<string, TableValue>>): string =>
  clip(
    [
      showTable(table.name ?? null),
      `price ${showTable(table.price ?? null)}`,
      `stock ${showTable(table.stock_quantity ?? null)}`,
    ].join(', '),
  );

interface Row {
  readonly productId: number | string;
  readonly difference: string;
  readonly table: string;
  readonly database: string;
}

const rowsOf = (drift: Drift): Row[] => {
  const productId = drift.product_id;
  if (drift.status === Status.MISSING_FROM_TABLE && drift.database !== undefined) {
    const row = drift.database;
    return [
      {
        productId,
        difference: 'missing from table',
        table: '(no item)',
        database: clip(
          `${showDatabase(row.name)}, price ${showDatabase(row.price)}, stock ${row.expected_stock}`,
        ),
      },
    ];
  }
  if (drift.status === Status.NOT_IN_DATABASE) {
    return [
      {
        productId,
        difference: 'not in database',
        table: summaryOfItem(drift.table ?? {}),
        database: '(no row)',
      },
    ];
  }
  return (drift.differences ?? []).map((difference) => ({
    productId,
    difference: difference.field satisfies Field,
    table: showTable(difference.table),
    database: difference.expected ?? showDatabase(difference.database),
  }));
};

/** The differences as an aligned table, one line per differing attribute. */
export const formatDrift = (products: readonly Drift[]): string =>
  formatTable(products.flatMap(rowsOf), [
    { header: 'product_id', value: (row: Row) => row.productId, align: 'right' },
    { header: 'difference', value: (row) => row.difference },
    { header: 'table', value: (row) => row.table },
    { header: 'database', value: (row) => row.database },
  ]);

const checksText = (model: StockModel, checks: ModelChecks): string =>
  [
    `What was checked (stock model ${model}):`,
    ...checks.exact.map((line) => `  exactly        ${line}`),
    ...checks.bounded.map((line) => `  within bounds  ${line}`),
    ...checks.notChecked.map((line) => `  not checked    ${line}`),
  ].join('\n');

/** Pure: the human report. */
export const renderReport = (report: ReconcileReport): string => {
  const { counts } = report;
  const drifted = driftCount(counts);
  const lines = [
    `reconcile: table ${report.tableName} (${report.tableWhere}) against PostgreSQL ${report.database}, ` +
      `stock model ${report.stockModel}`,
  ];
  const sides = `${counts.databaseProducts} products row(s), ${counts.tableItems} item(s) in ${report.tableName}`;
  if (drifted === 0 && counts.withinBounds === 0) {
    lines.push(`In agreement: ${sides}.`);
  } else if (drifted === 0) {
    lines.push(
      `No difference found, but only ${counts.agree} product(s) agree (${sides}): the stock of ` +
        `${counts.withinBounds} is only within bounds.`,
    );
  } else {
    lines.push(
      formatDrift(report.products),
      ...(report.unlisted > 0
        ? [
            `… and ${report.unlisted} more product(s) that differ, not listed (--max-listed ${report.maxListed}).`,
          ]
        : []),
      '',
      `${drifted} product(s) differ: ${counts.missingFromTable} missing from the table, ` +
        `${counts.notInDatabase} in the table but not in the database, ${counts.different} with different ` +
        `values; ${counts.agree} agree${counts.withinBounds > 0 ? `, ${counts.withinBounds} within bounds only` : ''} (${sides}).`,
    );
  }
  if (counts.stockBounded > 0) {
    const sample = report.withinBoundsIds ?? [];
    lines.push(
      `Stock of ${counts.stockBounded} product(s) with order lines was checked within bounds only: under ` +
        'orders the rows do not show which lines committed after the last count, so the database cannot ' +
        'confirm it (a stock-take in the shop sets a count the function applies exactly).' +
        (sample.length > 0
          ? ` Within bounds, not confirmed: ${sample.join(', ')}${counts.withinBounds > sample.length ? `, … and ${counts.withinBounds - sample.length} more` : ''}.`
          : ''),
    );
  }
  lines.push(
    checksText(report.stockModel, MODEL_CHECKS[report.stockModel]),
    `Read in ${(report.durationMs / 1000).toFixed(1)} s.`,
  );
  return `${lines.join('\n')}\n`;
};

/** Pure: the --json document. */
export const renderJson = (
  report: ReconcileReport,
  repairSql?: readonly string[],
  deleteMissing?: DeleteMissingResult,
): string =>
  `${JSON.stringify(
    {
      // Only what the rows confirm exactly agrees: a stock within bounds is not agreement.
      inAgreement: driftCount(report.counts) === 0 && report.counts.withinBounds === 0,
      table: report.tableName,
      endpoint: report.tableWhere,
      database: report.database,
      stockModel: report.stockModel,
      checked: MODEL_CHECKS[report.stockModel],
      counts: { ...report.counts, differ: driftCount(report.counts) },
      products: report.products,
      unlistedProducts: report.unlisted,
      withinBoundsIds: report.withinBoundsIds ?? [],
      startedAt: report.startedAt.toISOString(),
      durationMs: report.durationMs,
      ...(repairSql === undefined ? {} : { repairSql }),
      ...(deleteMissing === undefined
        ? {}
        : { deleteMissing: { ...deleteMissing, lsn: String(deleteMissing.lsn) } }),
    },
    null,
    2,
  )}\n`;

/** Reconcile's status: off a terminal nothing for the first 2 s, then a plain line every 10 s. */
export class ReconcileProgress extends StatusLine {
  constructor(io: CliIo, now: () => number = Date.now) {
    super(io, { tool: 'reconcile', quietMs: 2_000, lineIntervalMs: 10_000 }, now);
  }
}
