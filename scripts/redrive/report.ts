import type { InvocationSummary } from '../../lambda/create-handler.js';
import { formatTable } from '../cli/table.js';
import type { InvocationRecord, PartitionRange } from './invocation-record.js';
import { countPlan, type RecordPlan } from './plan.js';

export const ObjectOutcome = {
  /** The handler ran the payload's event and succeeded. */
  REDRIVEN: 'REDRIVEN',
  /** --dry-run: the payload is there and decoded; nothing was written. */
  WOULD_REDRIVE: 'WOULD_REDRIVE',
  /** The record does not carry the batch: the operator re-reads it from Kafka. */
  NO_PAYLOAD: 'NO_PAYLOAD',
  /** The handler threw (the mapping would have retried): the object stays. */
  FAILED: 'FAILED',
  /** Not JSON, or not the invocation record of a Kafka mapping. */
  UNREADABLE: 'UNREADABLE',
  /** --key named an object that is not there. */
  NOT_FOUND: 'NOT_FOUND',
  /** Listed, then gone before it was processed (another redrive moved it): nothing to do. */
  GONE: 'GONE',
} as const;
export type ObjectOutcome = (typeof ObjectOutcome)[keyof typeof ObjectOutcome];

/** Outcomes that make the run end with exit code 3. */
export const NOT_REDRIVEN: ReadonlySet<ObjectOutcome> = new Set([
  ObjectOutcome.NO_PAYLOAD,
  ObjectOutcome.FAILED,
  ObjectOutcome.UNREADABLE,
  ObjectOutcome.NOT_FOUND,
]);

/** An invocation record as reported: everything but the payload's records themselves. */
export type RecordDescription = Omit<InvocationRecord, 'payload'> & {
  readonly payload: { present: true; records: number } | { present: false; reason: string };
};

export interface ObjectReport {
  readonly key: string;
  readonly outcome: ObjectOutcome;
  /** One line: what was done, or why not. */
  readonly detail: string;
  readonly record?: RecordDescription;
  /** Warnings about the batch itself (its age), printed under what it holds. */
  readonly notes?: readonly string[];
  readonly plan?: readonly RecordPlan[];
  readonly result?: InvocationSummary;
  readonly elapsedMs?: number;
  /** The handler's WARN and ERROR log lines, as text. */
  readonly logs?: readonly string[];
  readonly movedTo?: string;
  readonly instructions?: readonly string[];
}

export interface RedriveSummary {
  readonly bucket: string;
  readonly prefix: string;
  readonly dryRun: boolean;
  readonly keep: boolean;
  /** Objects listed (or named with --key), redriven/ and replayed/ left out. */
  readonly listed: number;
  readonly skippedByFilter: number;
  /** The handler's own dead letters met while listing (same bucket): `npm run replay` is for those. */
  readonly deadLetters: number;
  readonly counts: Readonly<Record<ObjectOutcome, number>>;
  readonly objects: readonly ObjectReport[];
}

export const describeRecord = (record: InvocationRecord): RecordDescription => ({
  ...record,
  payload: record.payload.present
    ? { present: true, records: record.payload.records }
    : { present: false, reason: record.payload.reason },
});

const LABEL: Record<ObjectOutcome, string> = {
  [ObjectOutcome.REDRIVEN]: 'redriven',
  [ObjectOutcome.WOULD_REDRIVE]: 'would redrive',
  [ObjectOutcome.NO_PAYLOAD]: 'no payload',
  [ObjectOutcome.FAILED]: 'handler failed',
  [ObjectOutcome.UNREADABLE]: 'unreadable',
  [ObjectOutcome.NOT_FOUND]: 'not found',
  [ObjectOutcome.GONE]: 'gone',
};
const LABEL_WIDTH = 18;

const indent = (lines: readonly string[], by = '  '): string[] => lines.map((line) => `${by}${line}`);

const rangeLine = (range: PartitionRange): string => {
  const offsets =
    range.firstOffset === undefined
      ? 'offsets ?'
      : `offsets ${range.firstOffset}..${range.lastOffset ?? '?'}`;
  const times =
    range.firstTimestamp === undefined ? '' : `  ${range.firstTimestamp} .. ${range.lastTimestamp ?? '?'}`;
  const inPayload = range.payloadRecords === undefined ? '' : `  ${range.payloadRecords} in payload`;
  return `${range.topicPartition}  ${offsets}${times}${inPayload}`;
};

/** Pure: what the object holds, as the lines under its key. */
export const recordLines = (record: RecordDescription): string[] => {
  const attempts =
    record.approximateInvokeCount === undefined
      ? ''
      : ` after ${record.approximateInvokeCount} invocation(s)`;
  const error = record.functionError === undefined ? '' : ` (${record.functionError})`;
  const size =
    record.payloadSize === undefined ? '' : `, ${record.payloadSize.toLocaleString('en-US')} bytes`;
  const payload = record.payload.present
    ? `payload: ${record.payload.records} record(s)`
    : `payload missing: ${record.payload.reason}`;
  return [
    `mapping ${record.esmUuid ?? '?'}  ${record.condition ?? 'condition ?'}${attempts}${error}  at ${record.timestamp ?? '?'}`,
    `function ${record.functionArn ?? '?'}  source ${record.eventSourceArn ?? record.bootstrapServers ?? '?'}`,
    `batch of ${record.batchSize ?? '?'} record(s)${size}; ${payload}`,
    ...indent(record.partitions.map(rangeLine)),
  ];
};

const planCounts = (plans: readonly RecordPlan[]): string =>
  Object.entries(countPlan(plans))
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ') || 'no records';

export const planSummary = (plans: readonly RecordPlan[]): string =>
  `${plans.length} record(s): ${planCounts(plans)}`;

const planTable = (plans: readonly RecordPlan[]): string[] =>
  formatTable(plans, [
    { header: 'record', value: (plan) => `${plan.topic}-${plan.partition}@${plan.offset}` },
    { header: 'would', value: (plan) => plan.kind },
    { header: 'what', value: (plan) => plan.detail },
  ]).split('\n');

/** Pure: one object's block of text: outcome and key, what it holds, what was done. */
export const formatObject = (report: ObjectReport): string => {
  const lines = [`${LABEL[report.outcome].padEnd(LABEL_WIDTH)} ${report.key}`];
  const body: string[] = [];
  if (report.record !== undefined) body.push(...recordLines(report.record));
  if (report.notes !== undefined) body.push(...report.notes);
  if (report.plan !== undefined && report.plan.length > 0) body.push(...planTable(report.plan));
  body.push(report.detail);
  if (report.logs !== undefined && report.logs.length > 0)
    body.push('handler warnings:', ...indent(report.logs));
  if (report.movedTo !== undefined) body.push(`moved to ${report.movedTo}`);
  if (report.instructions !== undefined) body.push(...report.instructions);
  return `${[...lines, ...indent(body)].join('\n')}\n\n`;
};

/** Pure: the closing summary. */
export const formatSummary = (summary: RedriveSummary): string => {
  const { counts } = summary;
  const row = (label: string, count: number, note = '') =>
    `  ${label.padEnd(LABEL_WIDTH)} ${String(count).padStart(5)}${note === '' ? '' : `   ${note}`}\n`;
  const settled = summary.keep ? 'left in place (--keep)' : 'moved to redriven/';
  return [
    `Summary${summary.dryRun ? ' (dry run: nothing was changed)' : ''}\n`,
    summary.dryRun
      ? row(LABEL.WOULD_REDRIVE, counts.WOULD_REDRIVE, counts.WOULD_REDRIVE > 0 ? 'payload decoded' : '')
      : row(LABEL.REDRIVEN, counts.REDRIVEN, counts.REDRIVEN > 0 ? settled : ''),
    row(
      LABEL.NO_PAYLOAD,
      counts.NO_PAYLOAD,
      counts.NO_PAYLOAD > 0 ? 're-read from Kafka with the commands printed above' : '',
    ),
    row(LABEL.FAILED, counts.FAILED, counts.FAILED > 0 ? 'kept; see the failure above, then run again' : ''),
    row(LABEL.UNREADABLE, counts.UNREADABLE, counts.UNREADABLE > 0 ? 'not a Kafka invocation record' : ''),
    row(LABEL.NOT_FOUND, counts.NOT_FOUND),
    counts.GONE > 0 ? row(LABEL.GONE, counts.GONE, 'moved away since the listing') : '',
    row('skipped by filter', summary.skippedByFilter),
    summary.deadLetters > 0
      ? row('dead letters', summary.deadLetters, 'not on-failure objects: npm run replay')
      : '',
  ].join('');
};
