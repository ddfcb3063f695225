import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StockModel } from '../../lambda/inventory/stock-model.js';
import { storeContextFrom } from '../../lambda/store/store-context-factory.js';
import { withAwsConnection } from '../cli/aws-connection.js';
import { callTimeoutMs } from '../cli/call-timeout.js';
import { ExitCode } from '../cli/errors.js';
import type { CliIo } from '../cli/run-cli.js';
import { openDatabase, type ProductsDatabase } from './database.js';
import { deleteMissingItems, formatDeleteMissing } from './delete-missing.js';
import { parseReconcileArgs } from './options.js';
import { repairScript, signalIdPrefix } from './repair-sql.js';
import { driftCount, ReconcileProgress, type ReconcileReport, renderJson, renderReport } from './report.js';
import { createPacer, createTableReader, type Sleep } from './table-reads.js';
import { Tally } from './tally.js';

export interface ReconcileRun {
  readonly stockModel: StockModel;
  readonly pageSize: number;
  readonly maxListed: number;
  readonly rate?: number | undefined;
}

export interface ReconcileDependencies {
  readonly database: ProductsDatabase;
  readonly dynamoDb: DynamoDBClient;
  readonly tableName: string;
  readonly progress: ReconcileProgress;
  readonly sleep?: Sleep;
  /** Told every item key without a products row that is a database id (for --delete-missing). */
  readonly onNotInDatabase?: (ids: readonly number[]) => void;
}

/** Table keys that can be products ids: integers in BIGINT's range (anything else has no row). */
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;
const asDatabaseId = (id: string): number | undefined => {
  if (!/^-?\d+$/.test(id)) return undefined;
  const big = BigInt(id);
  return big >= BIGINT_MIN && big <= BIGINT_MAX && Number.isSafeInteger(Number(id)) ? Number(id) : undefined;
};

const asDatabaseIds = (id: string): number[] => {
  const number = asDatabaseId(id);
  return number === undefined ? [] : [number];
};

/**
 * Compares in two passes, each in pages, so memory is bounded by the page size and the differences:
 * 1. products rows in id order (keyset pages), each page's items fetched by key (BatchGetItem): finds items
 *    missing from the table and items that differ. A DynamoDB Scan has no order, so it cannot be merged with
 *    an ordered stream without holding one side; fetching by key needs neither side held.
 * 2. the table's keys (a Scan projecting product_id only), each page looked up in the database: finds items
 *    without a products row.
 */
export const reconcile = async (run: ReconcileRun, deps: ReconcileDependencies): Promise<Tally> => {
  const { database, progress } = deps;
  const tally = new Tally(run.stockModel, run.maxListed);
  const pace = createPacer(run.rate, deps.sleep === undefined ? {} : { sleep: deps.sleep });
  const table = createTableReader(deps.dynamoDb, deps.tableName, {
    pace,
    ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
  });
  const withOrdered = run.stockModel !== StockModel.PRODUCTS;
  const estimate = await database.estimateProducts();
  const of = estimate === undefined ? '' : ` of ~${estimate}`;
  let after: number | undefined;
  for (;;) {
    const rows = await database.productsAfter(after, run.pageSize, withOrdered);
    if (rows.length === 0) break;
    const items = await table.getItems(rows.map((row) => String(row.id)));
    for (const row of rows) tally.databaseRow(row, items.get(String(row.id)));
    after = rows[rows.length - 1]?.id;
    progress.update(
      `compared ${tally.counts.databaseProducts}${of} products row(s) with their items, ${tally.drifted} differ`,
    );
    if (rows.length < run.pageSize) break;
  }
  for await (const ids of table.keyPages(run.pageSize)) {
    tally.tableKeys(ids.length);
    const candidates = ids.flatMap((id) => {
      const number = asDatabaseId(id);
      return number === undefined ? [] : [number];
    });
    const existing = await database.existingIds(candidates);
    const extra = ids.filter((id) => {
      const number = asDatabaseId(id);
      return number === undefined || !existing.has(number);
    });
    if (extra.length > 0) {
      const items = await table.getItems(extra);
      for (const id of extra) tally.notInDatabase(id, items.get(id));
      deps.onNotInDatabase?.(extra.flatMap((id) => asDatabaseIds(id)));
    }
    progress.update(
      `looked up ${tally.counts.tableItems} table key(s) in the database, ${tally.counts.notInDatabase} without a row`,
    );
  }
  progress.finish();
  return tally;
};

/** `reconcile`: the command line → one comparison; exit code 0 in agreement, 3 when they differ. */
export const reconcileMain = async (
  argv: readonly string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
  clock: { readonly now?: () => number } = {},
): Promise<ExitCode> => {
  const options = parseReconcileArgs(argv);
  const now = clock.now ?? Date.now;
  const startedAt = new Date(now());
  // The database first: unreachable, it ends the run in one line before any AWS endpoint is opened.
  const database = await openDatabase(options.postgres, { timeoutMs: callTimeoutMs(env) });
  try {
    return await withAwsConnection(
      { endpoint: options.endpoint, env, tableName: options.tableName, needsBucket: false },
      async (connection) => {
        const stockModel = options.stockModel ?? connection.config.stockModel;
        const tableName = connection.config.tableName;
        const missing: number[] = [];
        const tally = await reconcile(
          { stockModel, pageSize: options.pageSize, maxListed: options.maxListed, rate: options.rate },
          {
            database,
            dynamoDb: connection.dynamoDb,
            tableName,
            progress: new ReconcileProgress(io, now),
            ...(options.deleteMissing ? { onNotInDatabase: (ids) => missing.push(...ids) } : {}),
          },
        );
        const deletion = options.deleteMissing
          ? await deleteMissingItems(
              missing,
              database,
              storeContextFrom(connection.dynamoDb, { ...connection.config, stockModel }),
              connection.config.sourceEpoch,
            )
          : undefined;
        const report: ReconcileReport = {
          tableName,
          tableWhere: connection.description,
          database: database.description,
          stockModel,
          counts: tally.counts,
          products: tally.sortedListed(),
          withinBoundsIds: tally.withinBoundsIds(),
          unlisted: tally.unlisted,
          maxListed: options.maxListed,
          startedAt,
          durationMs: now() - startedAt.getTime(),
        };
        const repair = options.repairSql
          ? repairScript(
              tally.repairPlan(),
              {
                signalTable: options.signalTable,
                dataSize: options.signalDataSize,
                format: options.signalFormat,
                idPrefix: signalIdPrefix(startedAt),
              },
              `inventory-cdc reconcile ${startedAt.toISOString()}: table ${tableName} against ${database.description}` +
                ` (stock model ${stockModel}), ${driftCount(tally.counts)} product(s) differ`,
              stockModel,
            )
          : undefined;
        if (deletion !== undefined && !options.json) io.stderr(formatDeleteMissing(deletion));
        if (options.json) io.stdout(renderJson(report, repair?.statements, deletion));
        else if (repair !== undefined) {
          io.stderr(renderReport(report));
          io.stdout(repair.text);
        } else io.stdout(renderReport(report));
        // What --delete-missing removed is repaired; anything else that differs is still found.
        const repaired = (deletion?.deleted.length ?? 0) + (deletion?.alreadyAbsent.length ?? 0);
        return driftCount(tally.counts) - repaired === 0 ? ExitCode.OK : ExitCode.FOUND;
      },
    );
  } finally {
    await database.close();
  }
};
