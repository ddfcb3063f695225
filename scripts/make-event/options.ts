import { UsageError } from '../cli/errors.js';
import { parseCommandLine } from '../cli/parse-command-line.js';
import type { ToolDefinition } from '../cli/tool.js';
import { EventSourceKind } from './kafka-event.js';
import type { Partitioning, WrapOptions } from './wrap.js';

export const HELP = `Usage: npm run make-event -- --topic <topic> --file <change.json> [--file <more.json> ...] [options]

Wraps Debezium change events into the event Lambda receives from a Kafka event source mapping
(keys and values base64, records grouped by "<topic>-<partition>", consecutive offsets).

Input files hold one change event, a JSON array of them, or one per line. Each element is
  - a Debezium change event exactly as the connector wrote it: envelope with or without
    {schema, payload}, or an ExtractNewRecordState row; its Kafka key is {"<key-field>": N} taken
    from after (else before, else the flat row) and its timestamp is its ts_ms;
  - null: a tombstone, keyed like the event before it (the delete it follows);
  - a kcat -J message {"key": "<text>"|null, "payload": "<text>"|null, "ts": ms, ...}: key and value
    bytes given as text, used as is (even if not JSON, or empty).

Options:
  --topic <name>            Kafka topic, e.g. dbserver1.public.products (required)
  --file <path>             input file; repeat for more, read in the order given (required)
  --partition <n>           put every record in partition n (default 0)
  --partitions <count>      instead, spread records over count partitions by key, with Kafka's
                            default partitioner (murmur2 of the key bytes)
  --offset <n>|<p>:<n>      first offset of every partition (n), or of partition p (p:n);
                            repeatable; default 0; offsets then go up by one per record
  --key-field <column>      row column that forms the key (default id)
  --key-schema              write keys as {schema, payload}, as with key.converter.schemas.enable=true
  --event-source <kind>     msk (eventSource "aws:kafka", with eventSourceArn; default) or
                            self-managed (eventSource "SelfManagedKafka")
  --event-source-arn <arn>  MSK cluster ARN (default: a placeholder in account 123456789012)
  --bootstrap-servers <s>   bootstrapServers value (default: placeholder brokers)
  --out <path>              write the event to this file instead of stdout
  -h, --help                show this help

Record timestamps come from the inputs (ts_ms), else from the record before, else 2025-01-01T00:00:00Z:
the same inputs always give the same output. The output is always one JSON document (the event), so
make-event takes no --json.

Example: npm run make-event -- --topic dbserver1.public.products --file events/changes/products-create.json
`;

export const MAKE_EVENT_TOOL: ToolDefinition = {
  name: 'make-event',
  command: 'npm run make-event',
  help: HELP,
};

export interface MakeEventOptions {
  readonly files: readonly string[];
  readonly out: string | undefined;
  readonly wrap: WrapOptions;
}

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const EVENT_SOURCES: ReadonlySet<string> = new Set(Object.values(EventSourceKind));

const nonNegativeInteger = (raw: string, option: string): number => {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`${option} must be a non-negative integer, got '${raw}'`);
  }
  return Number(raw);
};

const parseOffsets = (raws: readonly string[]): { offset: number; byPartition: Map<number, number> } => {
  let offset = 0;
  const byPartition = new Map<number, number>();
  for (const raw of raws) {
    const [partition, value] = raw.includes(':') ? raw.split(':', 2) : [undefined, raw];
    if (partition === undefined) offset = nonNegativeInteger(raw, '--offset');
    else
      byPartition.set(
        nonNegativeInteger(partition, '--offset partition'),
        nonNegativeInteger(value ?? '', '--offset'),
      );
  }
  return { offset, byPartition };
};

const parsePartitioning = (partition: string | undefined, partitions: string | undefined): Partitioning => {
  if (partition !== undefined && partitions !== undefined) {
    throw new UsageError('--partition and --partitions exclude each other');
  }
  if (partitions === undefined) {
    return {
      kind: 'fixed',
      partition: partition === undefined ? 0 : nonNegativeInteger(partition, '--partition'),
    };
  }
  const count = nonNegativeInteger(partitions, '--partitions');
  if (count === 0) throw new UsageError('--partitions must be at least 1');
  return { kind: 'by-key', count };
};

const rawArgs = (argv: readonly string[]) =>
  parseCommandLine(argv, {
    topic: { type: 'string' },
    file: { type: 'string', multiple: true },
    partition: { type: 'string' },
    partitions: { type: 'string' },
    offset: { type: 'string', multiple: true },
    'key-field': { type: 'string' },
    'key-schema': { type: 'boolean' },
    'event-source': { type: 'string' },
    'event-source-arn': { type: 'string' },
    'bootstrap-servers': { type: 'string' },
    out: { type: 'string' },
  }).values;

/** The command line → validated options; every mistake is a UsageError naming the option. */
export const parseMakeEventArgs = (argv: readonly string[]): MakeEventOptions => {
  const values = rawArgs(argv);
  const eventSource = values['event-source'] ?? EventSourceKind.MSK;
  if (values.topic === undefined) throw new UsageError('--topic is required');
  if (!TOPIC.test(values.topic))
    throw new UsageError(`--topic '${values.topic}' is not a valid Kafka topic name`);
  if (values.file === undefined || values.file.length === 0)
    throw new UsageError('at least one --file is required');
  if (!EVENT_SOURCES.has(eventSource)) {
    throw new UsageError(`--event-source must be msk or self-managed, got '${eventSource}'`);
  }
  if (values['event-source-arn'] !== undefined && eventSource !== EventSourceKind.MSK) {
    throw new UsageError('--event-source-arn applies to --event-source msk only');
  }
  const offsets = parseOffsets(values.offset ?? []);
  return {
    files: values.file,
    out: values.out,
    wrap: {
      topic: values.topic,
      keyField: values['key-field'] ?? 'id',
      keySchema: values['key-schema'] === true,
      partitioning: parsePartitioning(values.partition, values.partitions),
      offset: offsets.offset,
      offsetsByPartition: offsets.byPartition,
      eventSource: eventSource as EventSourceKind,
      ...(values['event-source-arn'] === undefined ? {} : { eventSourceArn: values['event-source-arn'] }),
      ...(values['bootstrap-servers'] === undefined ? {} : { bootstrapServers: values['bootstrap-servers'] }),
    },
  };
};
