import { type InvocationRecord, offsetSpan, type PartitionRange } from './invocation-record.js';
import { REDRIVEN_PREFIX } from './on-failure-bucket.js';

export interface InstructionContext {
  readonly key: string;
  readonly bucket: string;
  /** `--table <name>` as given to redrive, repeated for invoke; undefined when redrive used the default. */
  readonly tableName: string | undefined;
  readonly endpoint: string;
}

const timeToMs = (iso: string | undefined): number | undefined => {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

const rangeText = (range: PartitionRange): string => {
  const span = offsetSpan(range);
  const offsets =
    range.firstOffset === undefined || range.lastOffset === undefined
      ? 'offsets not in the record'
      : `offsets ${range.firstOffset}..${range.lastOffset} (${span} record(s) at most)`;
  const times =
    range.firstTimestamp === undefined ? '' : `, ${range.firstTimestamp} .. ${range.lastTimestamp ?? '?'}`;
  return `${offsets}${times}`;
};

/** The kcat start/stop options for a range: by offset when known, else by record time. */
const kcatRange = (range: PartitionRange): string => {
  const span = offsetSpan(range);
  if (range.firstOffset !== undefined && span !== undefined) return `-o ${range.firstOffset} -c ${span}`;
  const first = timeToMs(range.firstTimestamp);
  const last = timeToMs(range.lastTimestamp);
  if (first !== undefined && last !== undefined) return `-o s@${first} -o e@${last + 1}`;
  return '-o <first offset> -c <count>';
};

/**
 * Pure: what the operator runs for an object whose records are not in it. The record names each
 * topic-partition's offset range (KafkaBatchInfo.recordsInfo): read those records again from Kafka, wrap them
 * into a Lambda Kafka event with make-event and run the real handler on it with invoke. Reading more than the
 * range (or the same records twice) is harmless: the handler applies a change once, by table, key and source
 * position, whatever its offset.
 */
export const operatorInstructions = (record: InvocationRecord, context: InstructionContext): string[] => {
  const servers = record.bootstrapServers ?? '<bootstrap servers>';
  const where = [
    `--endpoint ${context.endpoint}`,
    `--bucket ${context.bucket}`,
    ...(context.tableName === undefined ? [] : [`--table ${context.tableName}`]),
  ].join(' ');
  const lines = [
    `Nothing to redrive from S3 (${record.payload.present ? 'payload present' : record.payload.reason}).`,
    'Re-read the records from Kafka (add your cluster’s client settings, -X security.protocol=… -X sasl.…, to',
    'kcat) and run them through the handler, per partition, while Kafka still holds them (its retention, 7 days',
    'by default on MSK and Apache Kafka, counts from the record times below):',
  ];
  if (record.partitions.length === 0) {
    lines.push('  the record names no topic-partition: find the batch by the mapping and the time above');
  }
  for (const range of record.partitions) {
    const partition = range.partition === undefined ? '<partition>' : String(range.partition);
    const file = `redrive-${range.topic}-${partition}`;
    const offset = range.firstOffset === undefined ? '' : ` --offset ${range.firstOffset}`;
    lines.push(
      `  ${range.topic} partition ${partition}: ${rangeText(range)}`,
      `    kcat -C -b ${servers} -t ${range.topic} -p ${partition} ${kcatRange(range)} -e -J > ${file}.jsonl`,
      `    npm run make-event -- --topic ${range.topic} --partition ${partition}${offset} --file ${file}.jsonl --out ${file}.json`,
      `    npm run invoke -- ${file}.json ${where} --timeout 900`,
    );
  }
  lines.push(
    'Once every partition is applied, move the object out of the way:',
    `  aws s3 mv s3://${context.bucket}/${context.key} s3://${context.bucket}/${REDRIVEN_PREFIX}${context.key}`,
  );
  return lines;
};
