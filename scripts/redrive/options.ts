import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { Endpoint, parseEndpoint } from '../cli/aws-connection.js';
import { UsageError } from '../cli/errors.js';
import { parseCommandLine } from '../cli/parse-command-line.js';
import { parseStockModel, STOCK_MODEL_HELP } from '../cli/stock-model-option.js';
import type { ToolDefinition } from '../cli/tool.js';
import { DEFAULT_PREFIX, REDRIVEN_PREFIX } from './on-failure-bucket.js';

export const HELP = `Usage: npm run redrive -- [options]

Re-applies the batches the Kafka event source mappings gave up on (retries exhausted, records too old) from
the objects Lambda wrote to their S3 on-failure destination. Each object is an invocation record: why the
batch failed, its topic-partitions and offset ranges (KafkaBatchInfo) and, for S3 destinations, the whole
Kafka event in "payload" (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html). redrive shows
what each object holds, then runs its event through the function's own handler (the same decoding, the same
conditional writes to the inventory and ledger tables, the same dead letters), exactly once: a change that is
already in the table (applied live, by an earlier redrive, or by replay) changes nothing, so redriving twice
is harmless. A redriven object is moved to redriven/<key>. An object without the payload (absent, null,
truncated) is left where it is and nothing is fetched: redrive prints, per topic-partition, the kcat,
make-event and invoke commands that re-read the offset range from Kafka and apply it.

Selection (all given filters must match):
  --prefix <prefix>        list objects under this key prefix (default ${DEFAULT_PREFIX}, where Lambda writes
                           them; '' for the whole bucket); ${REDRIVEN_PREFIX} and replayed/ are always skipped
  --key <key>              exactly this object, without listing (repeatable)
  --topic <name>           objects whose batch holds records of this topic
  --since <ISO time>       objects Lambda wrote (the record's "timestamp") at or after this time

Behaviour:
  --dry-run                change nothing, call no DynamoDB: decode every record and print what it would do
                           (upsert, delete, order line, skip, poison code); objects stay where they are
  --keep                   leave redriven objects where they are instead of moving them to ${REDRIVEN_PREFIX}
  --json                   print one JSON document (every object, what it holds, its outcome) instead of text

Where (defaults from the function's environment variables):
  --bucket <name>          on-failure bucket (DLQ_S3_BUCKET: the stack points both mappings' on-failure
                           destination at the dead-letter bucket); dead letters the handler writes while
                           redriving go to this bucket too
  --table <name>           inventory table (DYNAMODB_TABLE, default inventory-realtime); the ledger table is
                           LEDGER_TABLE, default <table>-ledger
  --endpoint local|aws|embedded
                           aws (default): standard credential chain; local: AWS_ENDPOINT_URL_DYNAMODB /
                           AWS_ENDPOINT_URL_S3 if set, else the running \`npm run local\` (exit 1 without one);
                           a missing table or bucket is exit 1, nothing is created; embedded: an empty
                           DynamoDB Local + s3rver for this run only
${STOCK_MODEL_HELP}
  SOURCE_EPOCH, EPOCH_HEADER, LAG_BOUND_HOURS, PRODUCTS_TOPIC, ORDER_ITEMS_TOPIC, PRICE_SCALE and AWS_REGION
  are read like the function reads them: run redrive with the function's values.
  -h, --help               show this help

Output: per object its mapping, condition, topic-partitions with offset ranges, record count and whether the
payload is there, then what was done; a summary at the end; a progress bar on stderr on a terminal.

Example: npm run redrive -- --topic dbserver1.public.order_items --dry-run
`;

export const REDRIVE_TOOL: ToolDefinition = {
  name: 'redrive',
  command: 'npm run redrive',
  help: HELP,
  found:
    'the run completed, but objects could not be redriven (with --dry-run: could not be): no payload (run the printed commands), the handler failed, not an invocation record, no object at a --key',
};

export interface RedriveSelection {
  readonly prefix: string;
  readonly keys?: readonly string[];
  readonly topic?: string;
  readonly since?: Date;
}

export interface RedriveOptions {
  readonly selection: RedriveSelection;
  readonly dryRun: boolean;
  readonly keep: boolean;
  readonly json: boolean;
  readonly stockModel: StockModel | undefined;
  readonly endpoint: Endpoint;
  readonly bucket: string | undefined;
  readonly tableName: string | undefined;
}

const isoTime = (raw: string | undefined, option: string): Date | undefined => {
  if (raw === undefined) return undefined;
  const time = /^\d{4}-\d\d-\d\d/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(`${option} must be an ISO-8601 time like 2025-01-15T10:00:00Z, got '${raw}'`);
  }
  return new Date(time);
};

const notRedriven = (value: string, option: string): string => {
  if (value.startsWith(REDRIVEN_PREFIX)) {
    throw new UsageError(
      `${option} '${value}' is under ${REDRIVEN_PREFIX}: that object was redriven already`,
    );
  }
  return value;
};

const rawArgs = (argv: readonly string[]) =>
  parseCommandLine(argv, {
    endpoint: { type: 'string' },
    bucket: { type: 'string' },
    table: { type: 'string' },
    prefix: { type: 'string' },
    key: { type: 'string', multiple: true },
    topic: { type: 'string' },
    since: { type: 'string' },
    'dry-run': { type: 'boolean' },
    keep: { type: 'boolean' },
    json: { type: 'boolean' },
    'stock-model': { type: 'string' },
  }).values;

/** The command line → validated options; every mistake is a UsageError naming the option. */
export const parseRedriveArgs = (argv: readonly string[]): RedriveOptions => {
  const values = rawArgs(argv);
  const keys = values.key?.map((key) => notRedriven(key, '--key'));
  if (keys?.some((key) => key === '')) throw new UsageError('--key must not be empty');
  if (values.topic === '') throw new UsageError('--topic must not be empty');
  if (values.bucket === '') throw new UsageError('--bucket must not be empty');
  const since = isoTime(values.since, '--since');
  const selection: RedriveSelection = {
    prefix: notRedriven(values.prefix ?? DEFAULT_PREFIX, '--prefix'),
    ...(keys === undefined ? {} : { keys: [...new Set(keys)] }),
    ...(values.topic === undefined ? {} : { topic: values.topic }),
    ...(since === undefined ? {} : { since }),
  };
  return {
    selection,
    dryRun: values['dry-run'] === true,
    keep: values.keep === true,
    json: values.json === true,
    stockModel: parseStockModel(values['stock-model']),
    endpoint: parseEndpoint(values.endpoint, Endpoint.AWS),
    bucket: values.bucket,
    tableName: values.table,
  };
};
