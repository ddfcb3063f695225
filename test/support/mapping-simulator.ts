import type { Context } from 'aws-lambda';
import type { InvocationSummary } from '../../lambda/create-handler.js';
import { ErrorCode } from '../../lambda/errors.js';
import { createLambdaContext } from '../../scripts/local/lambda-context.js';
import { mskEvent, ORDER_ITEMS_TOPIC, PRODUCTS_TOPIC, type TestKafkaRecord } from './debezium.js';
import type { FaultInjector } from './fault-injection.js';

/**
 * Plays Lambda's two Kafka event source mappings, one per topic, against the real handler. Each batch mixes
 * records of several partitions of its topic, each partition in order from its committed offset, as the
 * mapping's pollers cut them; a failed batch is retried (with new boundaries); a commit may be lost so a
 * suffix comes again; an invocation may run twice at once (a rebalance); and the two mappings lag each other
 * by any amount, either way, sometimes running at the same time.
 */
export interface MappingOptions {
  readonly random: () => number;
  readonly invoke: (event: unknown, context: Context) => Promise<InvocationSummary>;
  readonly injectors: readonly FaultInjector[];
  readonly faultRate: number;
  /** Most records taken from one partition into one batch. */
  readonly maxBatch: number;
  readonly lostCommitRate: number;
  readonly timeoutRate: number;
  /** Probability that an invocation is started twice at once, as after a rebalance. */
  readonly overlapRate: number;
  /** Probability that the next step is the products mapping's: how far it runs ahead or behind. */
  readonly productsShare: number;
  /** Probability that both mappings invoke at the same time. */
  readonly concurrentRate: number;
  /** `topic-partition`s whose mapping poller runs ahead: each is drained before the other partitions of its topic. */
  readonly leadingPartitions?: readonly string[];
}

export interface MappingStats {
  invocations: number;
  failedInvocations: number;
  /** Failures the plan caused (injected faults, the time budget), by error code or name. */
  expectedFailures: Record<string, number>;
  redeliveredRecords: number;
  multiPartitionBatches: number;
  overlappingInvocations: number;
}

/** After this many failed batches of one mapping in a row, faults are switched off so the run ends. */
const MAX_FAILURES_IN_A_ROW = 6;

const EXPECTED_CODES: ReadonlySet<string> = new Set([ErrorCode.DEAD_LETTER_WRITE_FAILED]);

const describeFailure = (error: unknown): string =>
  (error as { code?: string }).code ?? (error as Error).name ?? String(error);

/** Whether a failed invocation is one the plan caused; anything else is a bug the test must report. */
const isExpectedFailure = (error: unknown, faultsInjected: boolean): boolean => {
  const name = (error as Error)?.name;
  const code = (error as { code?: string })?.code;
  // Overlapping invocations and both mappings on one hot product may keep a write losing its races.
  if (code === ErrorCode.TIME_BUDGET_EXHAUSTED || code === ErrorCode.WRITE_CONTENTION) return true;
  if (!faultsInjected) return false;
  return name === 'InjectedTransientFault' || (code !== undefined && EXPECTED_CODES.has(code));
};

const runningOutContext = (checks: number): Context => {
  let reads = 0;
  return { ...createLambdaContext(), getRemainingTimeInMillis: () => (reads++ < checks ? 60_000 : 1_000) };
};

export const deliverThroughMappings = async (
  logs: ReadonlyMap<string, readonly TestKafkaRecord[]>,
  options: MappingOptions,
): Promise<MappingStats> => {
  const { random } = options;
  const committed = new Map([...logs.keys()].map((key) => [key, 0]));
  const delivered = new Map([...logs.keys()].map((key) => [key, 0]));
  const failuresInARow = new Map<string, number>([
    [PRODUCTS_TOPIC, 0],
    [ORDER_ITEMS_TOPIC, 0],
  ]);
  const stats: MappingStats = {
    invocations: 0,
    failedInvocations: 0,
    expectedFailures: {},
    redeliveredRecords: 0,
    multiPartitionBatches: 0,
    overlappingInvocations: 0,
  };
  const pendingOf = (topic: string) =>
    [...logs].filter(([key, log]) => key.startsWith(`${topic}-`) && (committed.get(key) ?? 0) < log.length);

  const invokeOnce = async (event: unknown): Promise<boolean> => {
    stats.invocations += 1;
    const context =
      random() < options.timeoutRate ? runningOutContext(Math.floor(random() * 4)) : createLambdaContext();
    try {
      await options.invoke(event, context);
      return true;
    } catch (error) {
      if (!isExpectedFailure(error, options.faultRate > 0)) throw error;
      stats.failedInvocations += 1;
      const code = describeFailure(error);
      stats.expectedFailures[code] = (stats.expectedFailures[code] ?? 0) + 1;
      return false;
    }
  };

  const step = async (topic: string): Promise<void> => {
    const all = pendingOf(topic);
    const leading = all.filter(([key]) => options.leadingPartitions?.includes(key));
    const pending = leading.length > 0 ? leading : all;
    if (pending.length === 0) return;
    const chosen = pending.filter(() => random() < 0.6);
    const partitions =
      chosen.length > 0
        ? chosen
        : [pending[Math.floor(random() * pending.length)] as (typeof pending)[number]];
    // The injectors sit on the clients both mappings share: a long run of failures of either disarms them.
    const faultsArmed = options.faultRate > 0 && Math.max(...failuresInARow.values()) < MAX_FAILURES_IN_A_ROW;
    const cut = partitions.map(([key, log]) => {
      const from = committed.get(key) ?? 0;
      const to = Math.min(log.length, from + 1 + Math.floor(random() * options.maxBatch));
      return { key, from, to, records: log.slice(from, to) };
    });
    if (cut.length > 1) stats.multiPartitionBatches += 1;
    for (const { key, from, to } of cut) {
      const seen = delivered.get(key) ?? 0;
      stats.redeliveredRecords += Math.max(0, Math.min(seen, to) - from);
      delivered.set(key, Math.max(seen, to));
    }
    for (const injector of options.injectors) injector.rate = faultsArmed ? options.faultRate : 0;
    const event = mskEvent(cut.flatMap(({ records }) => records));
    const overlap = random() < options.overlapRate;
    if (overlap) stats.overlappingInvocations += 1;
    const results = await Promise.all(overlap ? [invokeOnce(event), invokeOnce(event)] : [invokeOnce(event)]);
    if (!results.some(Boolean)) {
      failuresInARow.set(topic, (failuresInARow.get(topic) ?? 0) + 1);
      return;
    }
    failuresInARow.set(topic, 0);
    for (const { key, from, to } of cut) {
      const lost = random() < options.lostCommitRate;
      committed.set(key, lost ? from + Math.floor(random() * (to - from)) : to);
    }
  };

  for (;;) {
    const productsPending = pendingOf(PRODUCTS_TOPIC).length > 0;
    const ordersPending = pendingOf(ORDER_ITEMS_TOPIC).length > 0;
    if (!productsPending && !ordersPending) break;
    if (productsPending && ordersPending && random() < options.concurrentRate) {
      await Promise.all([step(PRODUCTS_TOPIC), step(ORDER_ITEMS_TOPIC)]);
      continue;
    }
    const products = ordersPending ? productsPending && random() < options.productsShare : true;
    await step(products ? PRODUCTS_TOPIC : ORDER_ITEMS_TOPIC);
  }
  for (const injector of options.injectors) injector.rate = 0;
  return stats;
};
