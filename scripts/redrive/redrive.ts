import type { Config } from '../../lambda/config.js';
import type { KafkaEvent } from '../../lambda/decode/kafka-event.js';
import { withAwsConnection } from '../cli/aws-connection.js';
import { CliError, ExitCode } from '../cli/errors.js';
import type { CliIo } from '../cli/run-cli.js';
import { withStockModel } from '../cli/stock-model-option.js';
import { formatFailure, formatLogs, formatResult } from '../invoke/render.js';
import { operatorInstructions } from './instructions.js';
import { type InvocationRecord, parseOnFailureObject, topicsOf } from './invocation-record.js';
import { createOnFailureBucket, type OnFailureBucket } from './on-failure-bucket.js';
import { parseRedriveArgs, type RedriveSelection } from './options.js';
import { planEvent, type RecordPlan } from './plan.js';
import { ProgressBar } from './progress.js';
import {
  describeRecord,
  formatObject,
  formatSummary,
  NOT_REDRIVEN,
  ObjectOutcome,
  type ObjectReport,
  planSummary,
  type RedriveSummary,
} from './report.js';
import {
  createToolHandler,
  type HandlerConnection,
  invokeCaptured,
  type ToolHandler,
} from './tool-handler.js';

/** The context's time budget: Lambda's own maximum, since a tool has no 15-minute ceiling to respect. */
export const REDRIVE_TIMEOUT_MS = 900_000;

export interface RedriveRun {
  readonly selection: RedriveSelection;
  readonly dryRun: boolean;
  readonly keep: boolean;
  readonly json: boolean;
}

export interface RedriveDependencies extends HandlerConnection {
  readonly config: Config;
  readonly io: CliIo;
  /** Where the calls go, for the first line of output. */
  readonly where?: string;
  /** `--table` as given, repeated in the printed invoke commands. */
  readonly tableOption?: string | undefined;
  readonly endpointOption?: string;
  readonly now?: () => Date;
}

interface Candidate {
  readonly key: string;
  readonly record: InvocationRecord;
}

interface Listing {
  readonly listed: number;
  readonly candidates: Candidate[];
  readonly early: ObjectReport[];
  readonly skippedByFilter: number;
  readonly deadLetters: number;
}

const emptyCounts = (): Record<ObjectOutcome, number> =>
  Object.fromEntries(Object.values(ObjectOutcome).map((outcome) => [outcome, 0])) as Record<
    ObjectOutcome,
    number
  >;

const matches = (selection: RedriveSelection, record: InvocationRecord): boolean => {
  if (selection.topic !== undefined && !topicsOf(record).has(selection.topic)) return false;
  if (selection.since !== undefined) {
    const at = record.timestamp === undefined ? Number.NaN : Date.parse(record.timestamp);
    if (Number.isNaN(at) || at < selection.since.getTime()) return false;
  }
  return true;
};

const hasContentFilter = (selection: RedriveSelection): boolean =>
  selection.topic !== undefined || selection.since !== undefined;

/**
 * Reads every listed (or named) object once and keeps what it holds, without the payload's records (an
 * object can be several MB; the selected ones are read again one at a time when they are redriven).
 */
const listCandidates = async (bucket: OnFailureBucket, selection: RedriveSelection): Promise<Listing> => {
  const named = selection.keys !== undefined;
  const keys = selection.keys ?? (await bucket.list(selection.prefix)).map((object) => object.key);
  const candidates: Candidate[] = [];
  const early: ObjectReport[] = [];
  let skippedByFilter = 0;
  let deadLetters = 0;
  for (const key of keys) {
    const body = await bucket.read(key);
    if (body === undefined) {
      if (named) early.push({ key, outcome: ObjectOutcome.NOT_FOUND, detail: 'no object at this key' });
      else early.push({ key, outcome: ObjectOutcome.GONE, detail: 'gone since the listing' });
      continue;
    }
    const parsed = parseOnFailureObject(key, body);
    if (parsed.kind === 'invocation-record') {
      if (matches(selection, parsed.record)) {
        const { payload } = parsed.record;
        const slim = payload.present
          ? { ...parsed.record, payload: { ...payload, event: { eventSource: '', records: {} } } }
          : parsed.record;
        candidates.push({ key, record: slim });
      } else skippedByFilter += 1;
      continue;
    }
    if (!named && hasContentFilter(selection)) {
      skippedByFilter += 1;
      continue;
    }
    if (parsed.kind === 'dead-letter' && !named) {
      deadLetters += 1;
      continue;
    }
    const reason =
      parsed.kind === 'dead-letter' ? 'a dead letter of the handler: use npm run replay' : parsed.reason;
    early.push({ key, outcome: ObjectOutcome.UNREADABLE, detail: `left as it is: ${reason}` });
  }
  return { listed: keys.length, candidates, early, skippedByFilter, deadLetters };
};

/** Products batches first (an order line's product should arrive first), then by failure time, then key. */
const redriveOrder =
  (productsTopic: string) =>
  (a: Candidate, b: Candidate): number => {
    const rank = (candidate: Candidate) => (topicsOf(candidate.record).has(productsTopic) ? 0 : 1);
    const time = (candidate: Candidate) => candidate.record.timestamp ?? '';
    return (
      rank(a) - rank(b) || time(a).localeCompare(time(b)) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
    );
  };

const warnings = (logs: ReadonlyArray<Record<string, unknown>>): string[] => {
  const notable = logs.filter((entry) => entry.level === 'WARN' || entry.level === 'ERROR');
  return notable.length === 0 ? [] : formatLogs(notable).split('\n');
};

const inline = (text: string): string => text.split('\n').join('; ');

/**
 * The batch's oldest record time against LAG_BOUND_HOURS: past it, the ledger may no longer remember order
 * lines applied before the batch failed, and the handler counts ChangesBeyondLagBound (docs/design.md, §5).
 */
export const ageNotes = (record: InvocationRecord, lagBoundHours: number, now: Date): string[] => {
  const oldest = Math.min(
    ...record.partitions.map((range) =>
      range.firstTimestamp === undefined ? Number.NaN : Date.parse(range.firstTimestamp),
    ),
  );
  if (Number.isNaN(oldest)) return [];
  const hours = (now.getTime() - oldest) / 3_600_000;
  return hours > lagBoundHours
    ? [
        `records from ${Math.floor(hours)} h ago, past LAG_BOUND_HOURS (${lagBoundHours} h): the handler applies them ` +
          'and names the products that may be off (ChangesBeyondLagBound); check those against the database',
      ]
    : [];
};

class Redrive {
  readonly #run: RedriveRun;
  readonly #deps: RedriveDependencies;
  readonly #bucket: OnFailureBucket;
  #handler: ToolHandler | undefined;

  constructor(run: RedriveRun, deps: RedriveDependencies) {
    this.#run = run;
    this.#deps = deps;
    this.#bucket = createOnFailureBucket(deps.s3, deps.config.deadLetterBucket);
  }

  get bucket(): OnFailureBucket {
    return this.#bucket;
  }

  /** Created on first use: a dry run never builds the handler, nor its stores. */
  #handlerFor(): ToolHandler {
    this.#handler ??= createToolHandler(this.#deps);
    return this.#handler;
  }

  #notes(record: InvocationRecord): { notes?: string[] } {
    const notes = ageNotes(record, this.#deps.config.lagBoundHours, this.#deps.now?.() ?? new Date());
    return notes.length === 0 ? {} : { notes };
  }

  #withoutPayload(candidate: Candidate, reason: string): ObjectReport {
    const record = { ...candidate.record, payload: { present: false as const, reason } };
    return {
      key: candidate.key,
      outcome: ObjectOutcome.NO_PAYLOAD,
      detail: 'not redriven: the object does not carry the records',
      record: describeRecord(record),
      ...this.#notes(record),
      instructions: operatorInstructions(record, {
        key: candidate.key,
        bucket: this.#bucket.name,
        tableName: this.#deps.tableOption,
        endpoint: this.#deps.endpointOption ?? 'aws',
      }),
    };
  }

  async redrive(candidate: Candidate): Promise<ObjectReport> {
    const { key } = candidate;
    if (!candidate.record.payload.present)
      return this.#withoutPayload(candidate, candidate.record.payload.reason);
    const body = await this.#bucket.read(key);
    if (body === undefined) return { key, outcome: ObjectOutcome.GONE, detail: 'gone since the listing' };
    const parsed = parseOnFailureObject(key, body);
    if (parsed.kind !== 'invocation-record') {
      const reason = parsed.kind === 'unreadable' ? parsed.reason : 'now a dead letter';
      return { key, outcome: ObjectOutcome.UNREADABLE, detail: `changed since the listing: ${reason}` };
    }
    const { record } = parsed;
    if (!record.payload.present) return this.#withoutPayload({ key, record }, record.payload.reason);
    const description = describeRecord(record);
    const notes = this.#notes(record);
    if (this.#run.dryRun) return { ...this.#plan(key, description, record.payload.event), ...notes };
    const invocation = await invokeCaptured(this.#handlerFor(), record.payload.event, REDRIVE_TIMEOUT_MS);
    const logs = warnings(invocation.telemetry.logs);
    if (!invocation.outcome.ok) {
      return {
        key,
        outcome: ObjectOutcome.FAILED,
        detail: `handler failed after ${invocation.elapsedMs} ms, object kept: ${formatFailure(invocation.outcome.error)}`,
        record: description,
        ...notes,
        elapsedMs: invocation.elapsedMs,
        logs,
      };
    }
    const movedTo = this.#run.keep ? undefined : await this.#bucket.moveToRedriven(key);
    return {
      key,
      outcome: ObjectOutcome.REDRIVEN,
      detail: `redriven in ${invocation.elapsedMs} ms: ${inline(formatResult(invocation.outcome.value))}`,
      record: description,
      ...notes,
      result: invocation.outcome.value,
      elapsedMs: invocation.elapsedMs,
      logs,
      ...(movedTo === undefined ? {} : { movedTo }),
    };
  }

  #plan(key: string, record: ObjectReport['record'], event: KafkaEvent): ObjectReport {
    const plan: RecordPlan[] = planEvent(event, this.#deps.config);
    return {
      key,
      outcome: ObjectOutcome.WOULD_REDRIVE,
      detail: `would run the handler on ${planSummary(plan)} (what the table already holds is not read: a change it has is left as it is)`,
      ...(record === undefined ? {} : { record }),
      plan,
    };
  }
}

/** Lists, shows and redrives the selected on-failure objects; prints as it goes; returns the summary. */
export const redriveObjects = async (run: RedriveRun, deps: RedriveDependencies): Promise<RedriveSummary> => {
  const { config, io } = deps;
  const redrive = new Redrive(run, deps);
  const listing = await listCandidates(redrive.bucket, run.selection);
  const selected = [...listing.candidates].sort(redriveOrder(config.productsTopic));
  const where =
    run.selection.keys === undefined
      ? `s3://${redrive.bucket.name}/${run.selection.prefix}`
      : `s3://${redrive.bucket.name}`;
  const progress = new ProgressBar(io, selected.length, 'redrive');
  const text = (output: string) => {
    if (!run.json) progress.aside(output);
  };
  text(
    `redrive${run.dryRun ? ' (dry run)' : ''}: ${where} → table ${config.tableName}` +
      `${deps.where === undefined ? '' : ` via ${deps.where}`}\n` +
      `${listing.listed} object(s) ${run.selection.keys === undefined ? 'listed' : 'named'}, ` +
      `${selected.length} invocation record(s) selected\n\n`,
  );
  const counts = emptyCounts();
  const objects: ObjectReport[] = [];
  const add = (report: ObjectReport) => {
    counts[report.outcome] += 1;
    objects.push(report);
    text(formatObject(report));
  };
  for (const report of listing.early) add(report);
  const summary = (): RedriveSummary => ({
    bucket: redrive.bucket.name,
    prefix: run.selection.prefix,
    dryRun: run.dryRun,
    keep: run.keep,
    listed: listing.listed,
    skippedByFilter: listing.skippedByFilter,
    deadLetters: listing.deadLetters,
    counts,
    objects,
  });
  try {
    for (const [index, candidate] of selected.entries()) {
      progress.update(index, candidate.key);
      add(await redrive.redrive(candidate));
    }
    progress.update(selected.length, 'done');
  } finally {
    progress.finish();
    if (run.json) io.stdout(`${JSON.stringify(summary(), null, 2)}\n`);
    else io.stdout(formatSummary(summary()));
  }
  return summary();
};

/** `redrive`: the command line → one run against the on-failure bucket and the configured tables. */
export const redriveMain = async (
  argv: readonly string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> => {
  const options = parseRedriveArgs(argv);
  const summary = await withAwsConnection(
    {
      endpoint: options.endpoint,
      env: withStockModel(env, options.stockModel),
      tableName: options.tableName,
      bucket: options.bucket,
      needsBucket: true,
    },
    (connection) =>
      redriveObjects(
        { selection: options.selection, dryRun: options.dryRun, keep: options.keep, json: options.json },
        {
          ...connection,
          io,
          where: connection.description,
          tableOption: options.tableName,
          endpointOption: options.endpoint,
        },
      ),
  );
  const notRedriven = summary.objects.filter((object) => NOT_REDRIVEN.has(object.outcome));
  if (notRedriven.length > 0) {
    const byOutcome = [...new Set(notRedriven.map((object) => object.outcome))]
      .map((outcome) => `${summary.counts[outcome]} ${outcome}`)
      .join(', ');
    throw new CliError(
      `${notRedriven.length} object(s) could not be redriven (${byOutcome}); see the report`,
      ExitCode.FOUND,
    );
  }
};
