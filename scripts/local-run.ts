/**
 * `npm start`: the whole service on this machine. Starts AWS's DynamoDB Local (a child JVM) and S3 (s3rver,
 * in-process), creates the inventory and ledger tables and the dead-letter bucket, sends every sample event in events/ through the real
 * handler in the order events/replay-order.txt gives (one batch twice, as the mapping does after a lost
 * commit), and prints the inventory, the low-stock alerts and the dead letters.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LowStockAlert } from '../lambda/inventory/low-stock.js';
import { parseCommandLine } from './cli/parse-command-line.js';
import { runCli } from './cli/run-cli.js';
import { START_TOOL } from './cli/service-tools.js';
import { formatTable } from './cli/table.js';
import { formatInventory } from './inventory/inventory.js';
import { startLocalService } from './local/local-service.js';

const EVENTS_DIR = join(import.meta.dirname, '..', 'events');
/** Delivered a second time to show that redelivery changes nothing. */
const REDELIVERED = 'order-items-create.json';

// The handler's JSON logs and EMF lines are for CloudWatch; here a person reads a summary instead.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const readEventFiles = async (): Promise<string[]> =>
  (await readFile(join(EVENTS_DIR, 'replay-order.txt'), 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

const COUNT_COLUMNS = [
  ['records', 'RecordsProcessed'],
  ['upserts', 'ProductsUpserted'],
  ['deletes', 'ProductsDeleted'],
  ['decrements', 'StockDecremented'],
  ['pending', 'OrderLinesPending'],
  ['duplicates', 'DuplicatesSkipped'],
  ['stale', 'StaleEventsSkipped'],
  ['tombstones', 'TombstonesSkipped'],
  ['ignored', 'EventsIgnored'],
  ['dead letters', 'DLQWrites'],
] as const;

type Counts = Readonly<Record<string, number>>;

const main = async (): Promise<void> => {
  // The sample events were committed in January 2025: a bound of ten years keeps them within it, so an
  // order line for a product that has not arrived waits in the ledger instead of being dead-lettered.
  const service = await startLocalService({ env: { LAG_BOUND_HOURS: '87600' } });
  try {
    console.log(`DynamoDB Local ${service.aws.dynamoDbEndpoint}, S3 (s3rver) ${service.aws.s3Endpoint}`);
    console.log(
      `table ${service.config.tableName} (ledger ${service.config.ledgerTableName}), dead-letter bucket ` +
        `${service.config.deadLetterBucket}, STOCK_MODEL=${service.config.stockModel}\n`,
    );
    const invocations: Array<{ file: string; counts: Counts }> = [];
    const alerts: Array<LowStockAlert & { file: string }> = [];
    const files = await readEventFiles();
    for (const file of files.flatMap((name) => (name === REDELIVERED ? [name, name] : [name]))) {
      const event = JSON.parse(await readFile(join(EVENTS_DIR, file), 'utf8'));
      const summary = await service.invoke(event);
      const redelivery = invocations.some((invocation) => invocation.file === file);
      invocations.push({ file: redelivery ? `${file} (again)` : file, counts: summary.counts });
      alerts.push(...summary.lowStockAlerts.map((alert) => ({ ...alert, file })));
    }

    console.log(`Invocations (${invocations.length})`);
    console.log(
      formatTable(invocations, [
        { header: 'event file', value: (row) => row.file },
        ...COUNT_COLUMNS.map(([header, metric]) => ({
          header,
          value: (row: { counts: Counts }) => row.counts[metric],
          align: 'right' as const,
        })),
      ]),
    );

    const items = await service.scanInventory();
    console.log(`\nInventory table (${items.length} items)`);
    console.log(formatInventory(items));

    console.log(`\nLow-stock alerts (threshold ${service.config.lowStockThreshold})`);
    console.log(
      formatTable(alerts, [
        { header: 'product_id', value: (alert) => alert.productId, align: 'right' },
        { header: 'name', value: (alert) => alert.name },
        { header: 'stock', value: (alert) => alert.stock, align: 'right' },
        { header: 'raised by', value: (alert) => alert.file },
      ]),
    );

    const letters = await service.listDeadLetters();
    console.log(`\nDead letters (s3://${service.config.deadLetterBucket})`);
    console.log(
      formatTable(letters, [
        { header: 'key', value: (letter) => letter.key },
        { header: 'code', value: (letter) => letter.letter.error.code },
        { header: 'reason', value: (letter) => letter.letter.error.message },
      ]),
    );
  } finally {
    await service.stop();
  }
};

process.exitCode = await runCli(START_TOOL, async (argv) => {
  parseCommandLine(argv, {});
  await main();
});
