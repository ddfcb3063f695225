import { type Config, loadConfig } from '../../lambda/config.js';
import { ConfigError } from '../../lambda/errors.js';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { Attr } from '../../lambda/store/attributes.js';
import { withAwsConnection } from '../cli/aws-connection.js';
import { callTimeoutMs } from '../cli/call-timeout.js';
import { CliError, ExitCode, UsageError } from '../cli/errors.js';
import type { CliIo } from '../cli/run-cli.js';
import { openDatabase, type ProductsDatabase } from '../reconcile/database.js';
import {
  contentSignature,
  newestReflected,
  type RecheckResult,
  type Reflected,
  recheckStamps,
} from './guard.js';
import { createInventoryTable, type InventoryTable, StampOutcome } from './inventory-table.js';
import { parseCutoverArgs } from './options.js';
import { CutoverProgress } from './progress.js';
import { type CutoverCounts, emptyCounts, MAX_LISTED_MISSING, renderJson, renderReport } from './report.js';
import { formatCutoverPosition, type StampPositions, stampPositions } from './source-position.js';
import { Decision, type ItemPlan, needsSourceStock, planItem, stampUpdate } from './stamp.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface CutoverRun {
  readonly tableName: string;
  readonly stockModel: StockModel;
  readonly positions: StampPositions;
  readonly dryRun: boolean;
  readonly pageSize: number;
  readonly concurrency: number;
}

export interface CutoverDependencies {
  readonly table: InventoryTable;
  /** Required under orders and ledger. */
  readonly database: Pick<ProductsDatabase, 'stockQuantities'> | undefined;
  readonly progress: CutoverProgress;
}

export interface CutoverResult {
  readonly counts: CutoverCounts;
  readonly missingIds: readonly string[];
  /** Items this run stamped, with their content when scanned (guard.ts contentSignature). */
  readonly stamped: ReadonlyMap<string, string>;
}

/** Runs `work` over `items` with at most `limit` in flight, in no particular order of completion. */
const eachLimited = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/**
 * Scans the table page by page (memory is bounded by the page size); per page, reads the unstamped items'
 * counts from the database in one query (orders, ledger) and writes the stamps, at most `concurrency` at once.
 */
export const cutover = async (run: CutoverRun, deps: CutoverDependencies): Promise<CutoverResult> => {
  const { table, progress } = deps;
  const counts = emptyCounts();
  const missingIds: string[] = [];
  const stamped = new Map<string, string>();
  const estimate = await table.estimateItems();
  const of = estimate === undefined || estimate === 0 ? '' : ` of ~${estimate}`;
  const withStock = needsSourceStock(run.stockModel);
  if (withStock && deps.database === undefined)
    throw new Error('cutover needs the database under this model');
  for await (const page of table.pages(run.pageSize)) {
    const unstamped = page.flatMap((item) => {
      const id = item[Attr.PRODUCT_ID]?.N;
      return id !== undefined && item[Attr.CDC_POSITION] === undefined ? [Number(id)] : [];
    });
    const stocks = withStock ? await deps.database?.stockQuantities(unstamped) : undefined;
    const signatures = new Map(page.map((item) => [item[Attr.PRODUCT_ID]?.N, contentSignature(item)]));
    const plans = page.flatMap((item): ItemPlan[] => {
      const plan = planItem(item, stocks);
      return plan === undefined ? [] : [plan];
    });
    counts.scanned += page.length;
    const stamps = plans.flatMap((plan) => (plan.decision === Decision.STAMP ? [plan] : []));
    for (const plan of plans) {
      if (plan.decision === Decision.ALREADY_STAMPED) counts.alreadyStamped += 1;
      if (plan.decision === Decision.MISSING_IN_DATABASE) {
        counts.missingInDatabase += 1;
        if (missingIds.length < MAX_LISTED_MISSING) missingIds.push(plan.productId);
      }
    }
    if (run.dryRun) counts.stamped += stamps.length;
    else {
      await eachLimited(stamps, run.concurrency, async (plan) => {
        const outcome = await table.stamp(stampUpdate(run.tableName, plan, run.positions));
        if (outcome === StampOutcome.STAMPED) {
          counts.stamped += 1;
          stamped.set(plan.productId, signatures.get(plan.productId) ?? '');
        } else if (outcome === StampOutcome.ALREADY_STAMPED) counts.alreadyStamped += 1;
        else counts.gone += 1;
      });
    }
    progress.update(
      `scanned ${counts.scanned}${of} item(s): ${counts.stamped} ${run.dryRun ? 'to stamp' : 'stamped'}, ` +
        `${counts.alreadyStamped} already stamped, ${counts.missingInDatabase} missing in PG`,
    );
  }
  progress.finish();
  missingIds.sort((a, b) => Number(a) - Number(b));
  return { counts, missingIds, stamped };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const listed = (ids: readonly string[]): string =>
  ids.length > 10 ? `${ids.slice(0, 10).join(', ')}, … (${ids.length})` : ids.join(', ');

/**
 * Refuses a P older than what the tables already record: stamping it would make the changes between P and
 * that record count again (order lines subtracted twice). One line, exit code 2: the command line is wrong.
 */
const refuseOlderPosition = (reflected: Reflected | undefined, positions: StampPositions, raw: string) => {
  if (reflected === undefined || reflected.position <= positions.cdcPosition) return;
  throw new UsageError(
    `--position ${raw} is older than what the table already reflects (product ${reflected.productId}: ` +
      `${reflected.what} at ${reflected.position}, P is ${positions.cdcPosition}); take P again as the last change of the topics`,
  );
};

/** The stamps' re-check as one refusal line (exit 3), or undefined when every stamp is intact. */
const recheckFailure = (result: RecheckResult, tableName: string): CliError | undefined => {
  const parts = [
    ...(result.erased.length > 0
      ? [`${result.erased.length} lost their stamp (${listed(result.erased)})`]
      : []),
    ...(result.writtenOver.length > 0
      ? [`${result.writtenOver.length} were written over (${listed(result.writtenOver)})`]
      : []),
  ];
  if (parts.length === 0) return undefined;
  return new CliError(
    `of the items stamped, ${parts.join(' and ')}: something still writes to ${tableName} (the Python ` +
      'service, or the mappings started early). Do not start the mappings: stop it, take P again, run cutover ' +
      'again (it stamps what lost its stamp), and check the written-over items with npm run reconcile',
    ExitCode.FOUND,
  );
};

/**
 * The function's own settings, checked before anything is opened or started: a bad STOCK_MODEL or
 * SOURCE_EPOCH ends the run at once with one line. The dead-letter bucket is not used here.
 */
const checkedSettings = (env: Env): Config => {
  try {
    return loadConfig({ ...env, DLQ_S3_BUCKET: env.DLQ_S3_BUCKET || 'not-used-by-cutover' });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`environment: ${error.message}`, { cause: error });
    throw error;
  }
};

/** `cutover`: the command line → one stamping run; exit code 0 when done. */
export const cutoverMain = async (
  argv: readonly string[],
  io: CliIo,
  env: Env = process.env,
  clock: { readonly now?: () => number } = {},
): Promise<void> => {
  const options = parseCutoverArgs(argv);
  const { position } = options;
  const now = clock.now ?? Date.now;
  const started = now();
  const settings = checkedSettings(env);
  const stockModel = options.stockModel ?? settings.stockModel;
  const withStock = needsSourceStock(stockModel);
  if (withStock && options.postgres === undefined) {
    throw new UsageError(
      `--postgres <connection-url> is required under the ${stockModel} stock model: source_stock is read from products.stock_quantity`,
    );
  }
  const positions = stampPositions(position, settings.sourceEpoch);
  const progress = new CutoverProgress(io, now);
  if (!withStock && options.postgres !== undefined) {
    progress.note('--postgres is not read under the products stock model (the row is the stock)');
  }
  // The database first: unreachable, it ends the run in one line before any AWS endpoint is opened.
  const database =
    withStock && options.postgres !== undefined
      ? await openDatabase(options.postgres, {
          applicationName: 'inventory-cdc cutover',
          timeoutMs: callTimeoutMs(env),
        })
      : undefined;
  try {
    await withAwsConnection(
      { endpoint: options.endpoint, env, tableName: options.tableName, needsBucket: false },
      async (connection) => {
        const { tableName } = connection.config;
        refuseOlderPosition(
          await newestReflected(connection.dynamoDb, tableName, connection.config.ledgerTableName),
          positions,
          formatCutoverPosition(position),
        );
        progress.note(
          `${options.dryRun ? 'dry run: ' : ''}stamping the items of ${tableName} without cdc_position ` +
            `(${connection.description}), stock model ${stockModel}`,
        );
        const result = await cutover(
          {
            tableName,
            stockModel,
            positions,
            dryRun: options.dryRun,
            pageSize: options.pageSize,
            concurrency: options.concurrency,
          },
          { table: createInventoryTable(connection.dynamoDb, tableName), database, progress },
        );
        const report = {
          tableName,
          where: connection.description,
          database: database?.description,
          stockModel,
          position: formatCutoverPosition(position),
          epoch: connection.config.sourceEpoch,
          keys: positions,
          dryRun: options.dryRun,
          counts: result.counts,
          missingIds: result.missingIds,
          durationMs: now() - started,
        };
        let recheck: RecheckResult | undefined;
        if (!options.dryRun) {
          // A writer still running shows as stamps erased or items changed since they were stamped.
          await sleep(options.recheckAfterSeconds * 1000);
          recheck = await recheckStamps(
            connection.dynamoDb,
            tableName,
            result.stamped,
            positions.cdcPosition,
          );
        }
        const full = {
          ...report,
          recheck,
          recheckAfterSeconds: options.recheckAfterSeconds,
          durationMs: now() - started,
        };
        io.stdout(options.json ? renderJson(full) : renderReport(full));
        const failure = recheck === undefined ? undefined : recheckFailure(recheck, tableName);
        if (failure !== undefined) throw failure;
      },
    );
  } finally {
    await database?.close();
  }
};
