import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../lambda/config.js';
import type { DeadLetter } from '../../lambda/store/dead-letter.js';
import { storeContextFrom } from '../../lambda/store/store-context-factory.js';
import { withAwsConnection } from '../cli/aws-connection.js';
import { CliError, ExitCode } from '../cli/errors.js';
import type { CliIo } from '../cli/run-cli.js';
import { withStockModel } from '../cli/stock-model-option.js';
import {
  createDeadLetterBucket,
  type DeadLetterBucket,
  UnreadableLetterError,
} from './dead-letter-bucket.js';
import { type Coordinates, parseLetterKey } from './letter-key.js';
import { parseReplayArgs, type ReplayFilters } from './options.js';
import {
  type DecodedLetter,
  decodeLetter,
  holdBack,
  LetterOutcome,
  type LetterResult,
  type ReplayTarget,
  replayDecoded,
  settledByItsCreate,
  wasAlsoKeptPending,
} from './replay-letter.js';
import { formatSummary, pastLagBoundNote, ReplayProgress, type ReplaySummary } from './report.js';
import { compareForReplay, matchesCoordinates, matchesLetter } from './selection.js';

export interface ReplayRun {
  readonly filters: ReplayFilters;
  readonly dryRun: boolean;
  readonly deleteReplayed: boolean;
  /** One JSON document on stdout; the lines a text run prints there go to stderr. */
  readonly json?: boolean;
}

export interface ReplayDependencies {
  readonly config: Pick<
    Config,
    | 'tableName'
    | 'ledgerTableName'
    | 'stockModel'
    | 'lagBoundHours'
    | 'sourceEpoch'
    | 'deadLetterBucket'
    | 'productsTopic'
    | 'orderItemsTopic'
    | 'priceScale'
  > &
    Partial<Pick<Config, 'registryValues'>>;
  readonly dynamoDb: DynamoDBClient;
  readonly s3: S3Client;
  readonly io: CliIo;
  /** Where the calls go, for the first line of output. */
  readonly where?: string;
  readonly now?: () => Date;
}

interface Letter {
  readonly key: string;
  readonly coordinates: Coordinates;
  readonly body?: DeadLetter;
}

/** An earlier order item of a product, not replayed in this run, that later ones of the product must wait for. */
interface PendingOrderItem {
  readonly key: string;
  readonly offset: number;
  readonly productId: number;
}

const partitionOf = ({ topic, partition }: Coordinates): string => `${topic}\u0000${partition}`;

/** Reads a letter; undefined if a concurrent replay settled it since the listing, or if it is no letter. */
const readOrSkip = async (
  bucket: DeadLetterBucket,
  key: string,
  io: CliIo,
): Promise<DeadLetter | undefined> => {
  try {
    return await bucket.read(key);
  } catch (error) {
    if (!(error instanceof UnreadableLetterError)) throw error;
    io.stderr(`replay: ${error.message}\n`);
    return undefined;
  }
};

/** Coordinates from the key, or (for a key of another shape) from the letter's record. */
const locate = async (bucket: DeadLetterBucket, key: string, io: CliIo): Promise<Letter | undefined> => {
  const coordinates = parseLetterKey(key);
  if (coordinates !== undefined) return { key, coordinates };
  const body = await readOrSkip(bucket, key, io);
  return body === undefined ? undefined : { key, coordinates: body.record, body };
};

/** The letter with its body; undefined if it cannot be read (see readOrSkip). */
const withBody = async (
  bucket: DeadLetterBucket,
  letter: Letter,
  io: CliIo,
): Promise<Required<Letter> | undefined> => {
  const body = letter.body ?? (await readOrSkip(bucket, letter.key, io));
  return body === undefined ? undefined : { ...letter, body };
};

/**
 * Order items left out by the filters that sit below a selected one in its partition: if one of them is
 * of the same product, the selected one is held back. Exactness no longer needs this (order lines are
 * recorded by identity in the ledger; the offset watermarks this protected are gone): it only keeps a
 * product's letters of one partition settling in offset order.
 */
const pendingBelowSelection = async (
  bucket: DeadLetterBucket,
  all: readonly Letter[],
  selected: readonly Letter[],
  config: ReplayDependencies['config'],
  io: CliIo,
): Promise<Map<string, PendingOrderItem[]>> => {
  const highest = new Map<string, number>();
  for (const { coordinates } of selected) {
    if (coordinates.topic !== config.orderItemsTopic) continue;
    const partition = partitionOf(coordinates);
    highest.set(partition, Math.max(highest.get(partition) ?? -Infinity, coordinates.offset));
  }
  const chosen = new Set(selected.map(({ key }) => key));
  const pending = new Map<string, PendingOrderItem[]>();
  for (const letter of all) {
    const partition = partitionOf(letter.coordinates);
    const limit = highest.get(partition);
    if (chosen.has(letter.key) || limit === undefined || letter.coordinates.offset >= limit) continue;
    const loaded = await withBody(bucket, letter, io);
    if (loaded === undefined) continue;
    const decoded = decodeLetter(loaded.body, config);
    if (decoded.type !== 'OrderItemCreated') continue;
    const list = pending.get(partition) ?? [];
    pending.set(partition, list);
    list.push({ key: letter.key, offset: letter.coordinates.offset, productId: decoded.productId });
  }
  return pending;
};

/** Tracks, per order_items partition, the products whose earlier letter is still pending. */
class ProductOrderGuard {
  readonly #waiting: Map<string, PendingOrderItem[]>;
  readonly #blocked = new Map<string, Map<number, string>>();

  constructor(waiting: Map<string, PendingOrderItem[]>) {
    this.#waiting = waiting;
  }

  /** The pending letter that `decoded` at these coordinates must wait for, if any. */
  blockerOf(coordinates: Coordinates, decoded: DecodedLetter): string | undefined {
    if (decoded.type !== 'OrderItemCreated') return undefined;
    const partition = partitionOf(coordinates);
    const blocked = this.#blockedIn(partition);
    for (const earlier of this.#waiting.get(partition) ?? []) {
      if (earlier.offset < coordinates.offset && !blocked.has(earlier.productId)) {
        blocked.set(earlier.productId, earlier.key);
      }
    }
    return blocked.get(decoded.productId);
  }

  /** A letter that stays pending (failing again or held back) blocks its product's later letters. */
  stillPending(key: string, coordinates: Coordinates, decoded: DecodedLetter): void {
    if (decoded.type !== 'OrderItemCreated') return;
    const blocked = this.#blockedIn(partitionOf(coordinates));
    if (!blocked.has(decoded.productId)) blocked.set(decoded.productId, key);
  }

  #blockedIn(partition: string): Map<number, string> {
    const blocked = this.#blocked.get(partition) ?? new Map<number, string>();
    this.#blocked.set(partition, blocked);
    return blocked;
  }
}

const settle = async (
  bucket: DeadLetterBucket,
  run: ReplayRun,
  letter: Required<Letter>,
  result: LetterResult,
  now: () => Date,
): Promise<void> => {
  const untouched: readonly LetterOutcome[] = [LetterOutcome.HELD_BACK, LetterOutcome.UNREPLAYABLE];
  if (run.dryRun || untouched.includes(result.outcome)) return;
  if (result.outcome === LetterOutcome.STILL_FAILING) {
    const failure = result.failure ?? { code: letter.body.error.code, message: result.detail };
    await bucket.appendFailure(letter.key, letter.body, { ...failure, at: now().toISOString() });
    return;
  }
  if (run.deleteReplayed) await bucket.remove(letter.key);
  else await bucket.moveToReplayed(letter.key);
};

const emptyCounts = (): Record<LetterOutcome, number> => ({
  [LetterOutcome.REPLAYED]: 0,
  [LetterOutcome.ALREADY_APPLIED]: 0,
  [LetterOutcome.NOTHING_TO_APPLY]: 0,
  [LetterOutcome.STILL_FAILING]: 0,
  [LetterOutcome.HELD_BACK]: 0,
  [LetterOutcome.UNREPLAYABLE]: 0,
});

/** Selects, replays and settles dead letters; prints progress and the summary; returns the summary. */
export const replayDeadLetters = async (run: ReplayRun, deps: ReplayDependencies): Promise<ReplaySummary> => {
  const { config, io } = deps;
  const now = deps.now ?? (() => new Date());
  const bucket = createDeadLetterBucket(deps.s3, config.deadLetterBucket);
  const all: Letter[] = [];
  for (const key of await bucket.listPending()) {
    const letter = await locate(bucket, key, io);
    if (letter !== undefined) all.push(letter);
  }
  const missingKeys = [...(run.filters.keys ?? [])].filter(
    (key) => !all.some((letter) => letter.key === key),
  );
  for (const key of missingKeys) io.stderr(`replay: no dead letter at key '${key}'\n`);
  const selected: Array<Required<Letter>> = [];
  for (const letter of all) {
    if (!matchesCoordinates(run.filters, letter.key, letter.coordinates)) continue;
    const loaded = await withBody(bucket, letter, io);
    if (loaded !== undefined && matchesLetter(run.filters, loaded.body)) selected.push(loaded);
  }
  const compare = compareForReplay(config.productsTopic);
  selected.sort((a, b) => compare(a.coordinates, b.coordinates));

  // With --json, stdout keeps the document alone: the header and the per-letter lines go to stderr.
  const lines: CliIo = run.json === true ? { ...io, stdout: io.stderr, isTty: io.stderrIsTty ?? false } : io;
  lines.stdout(
    `replay${run.dryRun ? ' (dry run)' : ''}: s3://${bucket.name} → table ${config.tableName}` +
      `${deps.where === undefined ? '' : ` via ${deps.where}`}\n` +
      `${all.length} pending letter(s), ${selected.length} selected\n`,
  );
  const guard = new ProductOrderGuard(await pendingBelowSelection(bucket, all, selected, config, io));
  const target: ReplayTarget = {
    dynamoDb: deps.dynamoDb,
    tableName: config.tableName,
    storeContext: storeContextFrom(deps.dynamoDb, config),
    dryRun: run.dryRun,
    plannedProducts: new Map(),
  };
  const counts = emptyCounts();
  const stillFailingByCode: Record<string, number> = {};
  const results: Array<{ key: string } & LetterResult> = [];
  const pastLagBound: string[] = [];
  const progress = new ReplayProgress(lines, selected.length, run.dryRun, counts);
  const summary = (): ReplaySummary => ({
    listed: all.length,
    missingKeys,
    skippedByFilter: all.length - selected.length,
    counts,
    stillFailingByCode,
    results,
    dryRun: run.dryRun,
    deleteReplayed: run.deleteReplayed,
    pastLagBound,
    lagBoundHours: config.lagBoundHours,
  });
  try {
    for (const letter of selected) {
      const decoded = decodeLetter(letter.body, config);
      const blocker = guard.blockerOf(letter.coordinates, decoded);
      const settled =
        decoded.type === 'OrderItemCreated' && blocker === undefined && wasAlsoKeptPending(letter.body)
          ? await settledByItsCreate(target, decoded)
          : undefined;
      const replayed: LetterResult =
        settled ??
        (blocker === undefined || decoded.type !== 'OrderItemCreated'
          ? await replayDecoded(target, decoded)
          : await holdBack(target, decoded, blocker));
      const late = lateNote(decoded, replayed, config.lagBoundHours, now());
      const result = late === undefined ? replayed : { ...replayed, detail: `${replayed.detail}; ${late}` };
      if (late !== undefined) {
        pastLagBound.push(letter.key);
        io.stderr(`replay: ${letter.key}: ${late}\n`);
      }
      if (result.outcome === LetterOutcome.STILL_FAILING || result.outcome === LetterOutcome.HELD_BACK) {
        guard.stillPending(letter.key, letter.coordinates, decoded);
      }
      await settle(bucket, run, letter, result, now);
      counts[result.outcome] += 1;
      if (result.outcome === LetterOutcome.STILL_FAILING) {
        const code = result.failure?.code ?? letter.body.error.code;
        stillFailingByCode[code] = (stillFailingByCode[code] ?? 0) + 1;
      }
      results.push({ key: letter.key, ...result });
      progress.letter(letter.key, result);
    }
  } finally {
    progress.finish();
    io.stdout(run.json === true ? `${JSON.stringify(summary(), null, 2)}\n` : formatSummary(summary()));
  }
  return summary();
};

/**
 * An order line replayed past LAG_BOUND_HOURS: its ledger entry, and with it the memory of a copy applied
 * earlier, may be gone. Letters the expiry function writes are never counted before; others may be.
 */
const lateNote = (
  decoded: DecodedLetter,
  result: LetterResult,
  lagBoundHours: number,
  now: Date,
): string | undefined => {
  if (decoded.type !== 'OrderItemCreated' || decoded.sourceTsMs === undefined) return undefined;
  if (result.outcome !== LetterOutcome.REPLAYED) return undefined;
  const hoursAgo = (now.getTime() - decoded.sourceTsMs) / 3_600_000;
  return hoursAgo > lagBoundHours ? pastLagBoundNote(hoursAgo, lagBoundHours) : undefined;
};

/** Exit code 3, as redrive's: the run completed, but letters stay pending or a --key named none. */
const pendingError = (summary: ReplaySummary): CliError | undefined => {
  const { STILL_FAILING, HELD_BACK } = summary.counts;
  const parts = [
    ...(STILL_FAILING > 0 ? [`${STILL_FAILING} still failing`] : []),
    ...(HELD_BACK > 0 ? [`${HELD_BACK} held back`] : []),
    ...(summary.missingKeys.length > 0 ? [`${summary.missingKeys.length} --key without a letter`] : []),
  ];
  return parts.length === 0
    ? undefined
    : new CliError(`not every letter was settled (${parts.join(', ')}); see the summary`, ExitCode.FOUND);
};

/** `replay`: the command line → one run against the configured table and bucket. */
export const replayMain = async (
  argv: readonly string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> => {
  const options = parseReplayArgs(argv);
  const summary = await withAwsConnection(
    {
      endpoint: options.endpoint,
      env: withStockModel(env, options.stockModel),
      tableName: options.tableName,
      bucket: options.bucket,
      needsBucket: true,
    },
    (connection) =>
      replayDeadLetters(
        {
          filters: options.filters,
          dryRun: options.dryRun,
          deleteReplayed: options.deleteReplayed,
          json: options.json,
        },
        { ...connection, io, where: connection.description },
      ),
  );
  const pending = pendingError(summary);
  if (pending !== undefined) throw pending;
};
