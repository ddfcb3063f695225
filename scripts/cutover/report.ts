import type { StockModel } from '../../lambda/inventory/stock-model.js';
import type { RecheckResult } from './guard.js';
import type { StampPositions } from './source-position.js';

export interface CutoverCounts {
  /** Items the Scan returned. */
  scanned: number;
  /** Items stamped by this run (under --dry-run: that would be). */
  stamped: number;
  /** Items that had cdc_position already, at the Scan or by the time of the write. */
  alreadyStamped: number;
  /** orders/ledger: items without a products row, left unstamped. */
  missingInDatabase: number;
  /** Items deleted between the Scan and their write. */
  gone: number;
}

export const emptyCounts = (): CutoverCounts => ({
  scanned: 0,
  stamped: 0,
  alreadyStamped: 0,
  missingInDatabase: 0,
  gone: 0,
});

/** At most this many ids of items without a products row are listed; all are counted. */
export const MAX_LISTED_MISSING = 50;

export interface CutoverReport {
  readonly tableName: string;
  readonly where: string;
  readonly database: string | undefined;
  readonly stockModel: StockModel;
  readonly position: string;
  readonly epoch: number;
  readonly keys: StampPositions;
  readonly dryRun: boolean;
  readonly counts: CutoverCounts;
  /** Ids of the first MAX_LISTED_MISSING items without a products row. */
  readonly missingIds: readonly string[];
  readonly durationMs: number;
  /** The stamps read again after the run (absent in a dry run). */
  readonly recheck?: RecheckResult | undefined;
  readonly recheckAfterSeconds?: number;
}

const recheckLines = (report: CutoverReport): string[] => {
  const { recheck } = report;
  if (recheck === undefined) return [];
  const intact = recheck.checked - recheck.erased.length - recheck.writtenOver.length - recheck.gone.length;
  const lines = [
    '',
    `Stamps read again after ${report.recheckAfterSeconds ?? 0} s: ${intact} of ${recheck.checked} intact` +
      `${recheck.erased.length > 0 ? `, ${recheck.erased.length} erased` : ''}` +
      `${recheck.writtenOver.length > 0 ? `, ${recheck.writtenOver.length} written over` : ''}` +
      `${recheck.gone.length > 0 ? `, ${recheck.gone.length} deleted since` : ''}.`,
  ];
  if (recheck.erased.length === 0 && recheck.writtenOver.length === 0)
    lines.push(
      'Nothing else writes to the table: deploy the mappings (step 5), then start the connector (step 6).',
    );
  return lines;
};

export const renderReport = (report: CutoverReport): string => {
  const { counts } = report;
  const verb = report.dryRun ? 'would stamp' : 'stamped';
  const lines = [
    `${report.dryRun ? 'Dry run (nothing written): ' : ''}table ${report.tableName} (${report.where})`,
    `position P ${report.position}, SOURCE_EPOCH ${report.epoch}: cdc_position ${report.keys.cdcPosition}, stock_position ${report.keys.stockPosition}`,
    `stock model ${report.stockModel}${report.database === undefined ? '' : `, source_stock from ${report.database}`}`,
    '',
    `  scanned            ${counts.scanned}`,
    `  ${verb.padEnd(17)}  ${counts.stamped}`,
    `  already stamped    ${counts.alreadyStamped}`,
    ...(report.database === undefined
      ? []
      : [
          `  missing in PG      ${counts.missingInDatabase}${counts.missingInDatabase === 0 ? '' : ' (not stamped)'}`,
        ]),
    ...(counts.gone === 0 ? [] : [`  deleted meanwhile  ${counts.gone}`]),
  ];
  if (report.missingIds.length > 0) {
    const more = counts.missingInDatabase - report.missingIds.length;
    lines.push(
      '',
      `Items without a products row (left without bookkeeping; check them with npm run reconcile): ${report.missingIds.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    );
  }
  lines.push(...recheckLines(report), '', `Done in ${(report.durationMs / 1000).toFixed(1)} s.`);
  return `${lines.join('\n')}\n`;
};

export const renderJson = (report: CutoverReport): string =>
  `${JSON.stringify(
    {
      table: report.tableName,
      endpoint: report.where,
      database: report.database ?? null,
      stockModel: report.stockModel,
      position: JSON.parse(report.position),
      sourceEpoch: report.epoch,
      cdcPosition: report.keys.cdcPosition,
      stockPosition: report.keys.stockPosition,
      dryRun: report.dryRun,
      counts: report.counts,
      missingInDatabaseIds: report.missingIds,
      ...(report.recheck === undefined ? {} : { recheck: report.recheck }),
      durationMs: report.durationMs,
    },
    null,
    2,
  )}\n`;
