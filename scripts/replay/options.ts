import { ErrorCode } from '../../lambda/errors.js';
import type { StockModel } from '../../lambda/inventory/stock-model.js';
import { Endpoint, parseEndpoint } from '../cli/aws-connection.js';
import { UsageError } from '../cli/errors.js';
import { parseCommandLine } from '../cli/parse-command-line.js';
import { parseStockModel, STOCK_MODEL_HELP } from '../cli/stock-model-option.js';
import type { ToolDefinition } from '../cli/tool.js';
import { REPLAYED_PREFIX } from './letter-key.js';

export const HELP = `Usage: npm run replay -- [options]

Re-applies dead letters from the dead-letter bucket through the function's own decoding and conditional
writes, exactly once: a product change goes through the same commit-order guarded upsert/delete; an order
line is recorded by its identity (table, row key, commit position) in the ledger table, as the live function
records it, and subtracts from the stock only if its product is in the table, the ledger does not hold it
yet (a live redelivery or an earlier replay recorded it) and it committed after the product's last stock
set (else that count includes it). A letter that is applied, was already applied, or has nothing to apply
is moved to replayed/<key> (or deleted with --delete); one that fails again (its product is still not in
the table, or it does not decode) stays where it is with the new error appended to its "errors". An order
line whose product has an earlier letter in the same partition that stays pending (failing again, or left
out by the filters) is held back, untouched: replay that one first, or both together.

Selection (all given filters must match; without any, every letter outside replayed/ is replayed):
  --topic <name>           Kafka topic of the record
  --partition <n>          partition of the record
  --from-offset <n>        records at this offset or later
  --to-offset <n>          records at this offset or earlier
  --code <CODE>            latest error code, e.g. UNKNOWN_PRODUCT, INVALID_JSON (repeatable)
  --since <ISO time>       dead-lettered (first failure) at or after this time
  --until <ISO time>       dead-lettered (first failure) before this time
  --key <key>              exactly this object, e.g. dbserver1.public.order_items/1/6.json (repeatable)

Behaviour:
  --dry-run                change nothing (neither table nor bucket); print what would happen
  --delete                 delete replayed letters instead of moving them under replayed/
  --json                   one JSON document on stdout (counts, every letter's outcome, keys not found);
                           the per-letter lines go to stderr

Where (defaults from the function's environment variables):
  --bucket <name>          dead-letter bucket (DLQ_S3_BUCKET)
  --table <name>           inventory table (DYNAMODB_TABLE, default inventory-realtime); the ledger table
                           is LEDGER_TABLE, default <table>-ledger
  --endpoint local|aws|embedded
                           aws (default): standard credential chain; local: AWS_ENDPOINT_URL_DYNAMODB /
                           AWS_ENDPOINT_URL_S3 if set, else the running \`npm run local\` (exit 1 without one);
                           a missing table or bucket is exit 1, nothing is created; embedded: an empty
                           DynamoDB Local + s3rver for this run only
${STOCK_MODEL_HELP}
  SOURCE_EPOCH, EPOCH_HEADER, LAG_BOUND_HOURS, PRODUCTS_TOPIC, ORDER_ITEMS_TOPIC, PRICE_SCALE and AWS_REGION
  are read like the function reads them: run replay with the function's values.
  -h, --help               show this help

Output: a progress bar on a terminal, one line per letter otherwise, then a summary (replayed, already
applied, nothing to apply, still failing by code, held back, unreplayable, skipped by filter). A letter of
an entry that was no record (MALFORMED_RECORD, kept in its "entry") is unreplayable and left as it is.

Example: npm run replay -- --code UNKNOWN_PRODUCT --dry-run
`;

export const REPLAY_TOOL: ToolDefinition = {
  name: 'replay',
  command: 'npm run replay',
  help: HELP,
  found:
    'the run completed, but letters are still pending (still failing, held back) or a --key has no letter',
};

export interface ReplayFilters {
  readonly topic?: string;
  readonly partition?: number;
  readonly fromOffset?: number;
  readonly toOffset?: number;
  readonly codes?: ReadonlySet<string>;
  readonly since?: Date;
  readonly until?: Date;
  readonly keys?: ReadonlySet<string>;
}

export interface ReplayOptions {
  readonly filters: ReplayFilters;
  readonly dryRun: boolean;
  readonly deleteReplayed: boolean;
  readonly json: boolean;
  readonly stockModel: StockModel | undefined;
  readonly endpoint: Endpoint;
  readonly bucket: string | undefined;
  readonly tableName: string | undefined;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

const nonNegativeInteger = (raw: string | undefined, option: string): number | undefined => {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`${option} must be a non-negative integer, got '${raw}'`);
  }
  return Number(raw);
};

const isoTime = (raw: string | undefined, option: string): Date | undefined => {
  if (raw === undefined) return undefined;
  const time = /^\d{4}-\d\d-\d\d/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(`${option} must be an ISO-8601 time like 2025-01-15T10:00:00Z, got '${raw}'`);
  }
  return new Date(time);
};

const codes = (raws: readonly string[] | undefined): ReadonlySet<string> | undefined => {
  if (raws === undefined) return undefined;
  for (const code of raws) {
    if (!KNOWN_CODES.has(code)) {
      throw new UsageError(`--code '${code}' is not an error code; known: ${[...KNOWN_CODES].join(', ')}`);
    }
  }
  return new Set(raws);
};

const keys = (raws: readonly string[] | undefined): ReadonlySet<string> | undefined => {
  if (raws === undefined) return undefined;
  for (const key of raws) {
    if (key.startsWith(REPLAYED_PREFIX)) {
      throw new UsageError(`--key '${key}' is under ${REPLAYED_PREFIX}: that letter was replayed already`);
    }
  }
  return new Set(raws);
};

const rawArgs = (argv: readonly string[]) =>
  parseCommandLine(argv, {
    bucket: { type: 'string' },
    table: { type: 'string' },
    topic: { type: 'string' },
    partition: { type: 'string' },
    'from-offset': { type: 'string' },
    'to-offset': { type: 'string' },
    code: { type: 'string', multiple: true },
    since: { type: 'string' },
    until: { type: 'string' },
    key: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    delete: { type: 'boolean' },
    json: { type: 'boolean' },
    'stock-model': { type: 'string' },
    endpoint: { type: 'string' },
  }).values;

const defined = <T extends Record<string, unknown>>(object: T): T =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;

/** The command line → validated options; every mistake is a UsageError naming the option. */
export const parseReplayArgs = (argv: readonly string[]): ReplayOptions => {
  const values = rawArgs(argv);
  const filters: ReplayFilters = defined({
    topic: values.topic,
    partition: nonNegativeInteger(values.partition, '--partition'),
    fromOffset: nonNegativeInteger(values['from-offset'], '--from-offset'),
    toOffset: nonNegativeInteger(values['to-offset'], '--to-offset'),
    codes: codes(values.code),
    since: isoTime(values.since, '--since'),
    until: isoTime(values.until, '--until'),
    keys: keys(values.key),
  });
  if (
    filters.fromOffset !== undefined &&
    filters.toOffset !== undefined &&
    filters.fromOffset > filters.toOffset
  ) {
    throw new UsageError(`--from-offset ${filters.fromOffset} is above --to-offset ${filters.toOffset}`);
  }
  if (filters.since !== undefined && filters.until !== undefined && filters.since >= filters.until) {
    throw new UsageError('--since must be before --until');
  }
  return {
    filters,
    dryRun: values['dry-run'] === true,
    deleteReplayed: values.delete === true,
    json: values.json === true,
    stockModel: parseStockModel(values['stock-model']),
    endpoint: parseEndpoint(values.endpoint, Endpoint.AWS),
    bucket: values.bucket,
    tableName: values.table,
  };
};
