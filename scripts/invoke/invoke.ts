import { readFile } from 'node:fs/promises';
import { createHandler, type InvocationSummary } from '../../lambda/create-handler.js';
import { isKafkaEvent, type KafkaEvent } from '../../lambda/decode/kafka-event.js';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { createDeadLetterStore } from '../../lambda/store/dead-letter.js';
import { createInventoryStore } from '../../lambda/store/inventory-store.js';
import { storeContextFrom } from '../../lambda/store/store-context-factory.js';
import { createLogger, createMetrics } from '../../lambda/telemetry/powertools.js';
import { Endpoint, parseEndpoint, withAwsConnection } from '../cli/aws-connection.js';
import { CliError, ExitCode, InputError, UsageError } from '../cli/errors.js';
import { parseCommandLine } from '../cli/parse-command-line.js';
import type { CliIo } from '../cli/run-cli.js';
import { parseStockModel, STOCK_MODEL_HELP, withStockModel } from '../cli/stock-model-option.js';
import type { ToolDefinition } from '../cli/tool.js';
import { formatInventory, scanTable } from '../inventory/inventory.js';
import { createLambdaContext } from '../local/lambda-context.js';
import { captureTelemetry } from './captured-telemetry.js';
import {
  formatFailure,
  formatLogs,
  formatMetrics,
  formatResult,
  invocationDocument,
  section,
} from './render.js';

export const HELP = `Usage: npm run invoke -- <event.json> [options]

Runs the real handler (middy, Powertools logger and metrics, the real DynamoDB and S3 stores) once on a
Lambda Kafka event file, with a Lambda-like context, and prints the result, the log lines and the EMF
metrics it emitted, and the table afterwards. Takes the same files as 'sam local invoke -e' (see events/).

Options:
  --endpoint local|aws|embedded
                           local (default): AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_S3 if set, else
                           the running \`npm run local\` (exit 1 without one); the table, ledger and bucket are
                           created when missing; embedded: an empty DynamoDB Local + s3rver for this run only;
                           aws: the standard credential chain
  --table <name>           table (default DYNAMODB_TABLE, else inventory-realtime)
  --bucket <name>          dead-letter bucket (default DLQ_S3_BUCKET; local default inventory-dlq-local)
${STOCK_MODEL_HELP}
  --timeout <seconds>      the context's time budget (default 60, like the deployed function)
  --json                   one JSON document on stdout: {result, logs, metrics, otherOutput, table}
  -h, --help               show this help
  Other settings come from the function's environment variables (LOW_STOCK_THRESHOLD, WRITE_CONCURRENCY, ...).

Example: npm run invoke -- events/products-create.json --json
`;

export const INVOKE_TOOL: ToolDefinition = {
  name: 'invoke',
  command: 'npm run invoke',
  help: HELP,
  failure: 'so does a failed invocation (the mapping would redeliver the batch)',
};

/** Rows printed after the invocation; a bigger table is better read with `npm run inventory`. */
const MAX_TABLE_ROWS = 100;

export interface InvokeOptions {
  readonly file: string;
  readonly endpoint: Endpoint;
  readonly tableName: string | undefined;
  readonly bucket: string | undefined;
  readonly stockModel: StockModel | undefined;
  readonly timeoutSeconds: number;
  readonly json: boolean;
}

const rawArgs = (argv: readonly string[]) =>
  parseCommandLine(
    argv,
    {
      endpoint: { type: 'string' },
      table: { type: 'string' },
      bucket: { type: 'string' },
      'stock-model': { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
    true,
  );

export const parseInvokeArgs = (argv: readonly string[]): InvokeOptions => {
  const { values, positionals } = rawArgs(argv);
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'an event file is required, e.g. events/products-snapshot.json'
        : `one event file at a time, got ${positionals.length}`,
    );
  }
  const timeout = values.timeout ?? '60';
  if (!/^\d+$/.test(timeout) || Number(timeout) < 1 || Number(timeout) > 900) {
    throw new UsageError(`--timeout must be 1..900 seconds, got '${timeout}'`);
  }
  return {
    file: positionals[0] ?? '',
    endpoint: parseEndpoint(values.endpoint, Endpoint.LOCAL),
    tableName: values.table,
    bucket: values.bucket,
    stockModel: parseStockModel(values['stock-model']),
    timeoutSeconds: Number(timeout),
    json: values.json === true,
  };
};

const readEvent = async (path: string): Promise<KafkaEvent> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (cause as Error).message;
    throw new UsageError(`cannot read '${path}': ${reason}`, { cause });
  }
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (cause) {
    throw new InputError(`'${path}' is not JSON: ${(cause as Error).message}`, { cause });
  }
  if (!isKafkaEvent(event)) {
    throw new InputError(`'${path}' is not a Lambda Kafka event (no "records" map)`);
  }
  return event;
};

const describeRecords = (event: KafkaEvent): string =>
  Object.entries(event.records)
    .map(([partition, records]) => `${partition} ×${Array.isArray(records) ? records.length : 0}`)
    .join(', ');

/** `invoke`: one event file through the real handler, then what it did. */
export const invokeMain = async (
  argv: readonly string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> => {
  const options = parseInvokeArgs(argv);
  const event = await readEvent(options.file);
  // The tool exists to show the metrics; a POWERTOOLS_DEV shell would otherwise switch them off.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  await withAwsConnection(
    {
      endpoint: options.endpoint,
      env: withStockModel(env, options.stockModel),
      tableName: options.tableName,
      bucket: options.bucket,
      needsBucket: true,
      // invoke sets up what it runs the function on, as the mapping's first batch would find it deployed.
      createMissing: true,
    },
    async (connection) => {
      const { config } = connection;
      const handler = createHandler({
        config,
        logger: createLogger(),
        metrics: createMetrics(),
        store: createInventoryStore(storeContextFrom(connection.dynamoDb, config)),
        deadLetters: createDeadLetterStore(connection.s3, config.deadLetterBucket),
      });
      // With --json, stdout holds the document alone: what the run is about goes to stderr.
      (options.json ? io.stderr : io.stdout)(
        `invoke ${options.file} (${describeRecords(event)})\n` +
          `  table ${config.tableName}, bucket ${config.deadLetterBucket}, ${connection.description}\n`,
      );
      const started = performance.now();
      const context = createLambdaContext(options.timeoutSeconds * 1000);
      const { outcome, telemetry } = await captureTelemetry(
        () => handler(event, context) as Promise<InvocationSummary>,
      );
      const elapsedMs = Math.round(performance.now() - started);
      const items = await scanTable(connection.dynamoDb, config.tableName);
      const shown = items.slice(0, MAX_TABLE_ROWS);
      if (options.json) {
        io.stdout(
          `${JSON.stringify(invocationDocument({ file: options.file, outcome, elapsedMs, telemetry, tableName: config.tableName, items, shown }), null, 2)}\n`,
        );
      } else {
        io.stdout(
          section(
            `Result: ${outcome.ok ? 'succeeded' : 'FAILED: the mapping would redeliver the whole batch'} in ${elapsedMs} ms`,
            outcome.ok ? formatResult(outcome.value) : formatFailure(outcome.error),
          ),
        );
        io.stdout(section(`Logs (${telemetry.logs.length})`, formatLogs(telemetry.logs)));
        io.stdout(
          section(
            `Metrics (${telemetry.metricDocuments.length} EMF document(s))`,
            formatMetrics(telemetry.metricDocuments),
          ),
        );
        if (telemetry.otherLines.length > 0)
          io.stdout(section('Other output', telemetry.otherLines.join('\n')));
        const more =
          items.length > shown.length ? `\n… ${items.length - shown.length} more: npm run inventory` : '';
        io.stdout(
          section(
            `Table ${config.tableName} afterwards (${items.length} item(s))`,
            items.length === 0 ? '' : `${formatInventory(shown)}${more}`,
          ),
        );
      }
      if (!outcome.ok) throw new CliError('the invocation failed (see its result)', ExitCode.FAILURE);
    },
  );
};
