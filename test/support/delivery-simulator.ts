import type { Context } from 'aws-lambda';
import type { InvocationSummary } from '../../lambda/create-handler.js';
import { createLambdaContext } from '../../scripts/local/lambda-context.js';
import { committedOffsets } from './committed-offsets.js';
import { mskEvent } from './debezium.js';
import type { FaultInjector } from './fault-injection.js';
import type { InventoryModel } from './inventory-model.js';
import type { LogEntry, Logs } from './scenario.js';

export interface DeliveryOptions {
  readonly random: () => number;
  readonly invoke: (event: unknown, context: Context) => Promise<InvocationSummary>;
  readonly model: InventoryModel;
  readonly injectors: readonly FaultInjector[];
  readonly faultRate: number;
  readonly maxBatch: number;
  /** Probability that a successful batch's offsets are not committed, so a suffix of it comes again. */
  readonly lostCommitRate: number;
  /** Probability that an invocation's time budget runs out after a few checks. */
  readonly timeoutRate: number;
}

export interface DeliveryStats {
  invocations: number;
  failedInvocations: number;
  redeliveredRecords: number;
}

/** After this many failed attempts in a row, faults are switched off so the run always finishes. */
const MAX_FAILURES_IN_A_ROW = 6;

/** A context whose remaining time collapses after `checks` reads, like a batch that runs long. */
const runningOutContext = (checks: number): Context => {
  let reads = 0;
  return { ...createLambdaContext(), getRemainingTimeInMillis: () => (reads++ < checks ? 60_000 : 1_000) };
};

/**
 * Plays the Kafka event source mapping: picks a partition, delivers a batch from its committed offset,
 * retries the whole batch (with new boundaries) when the invocation fails, and sometimes loses a commit so a
 * suffix is delivered again later. The model learns each record when the mapping first delivers it
 * successfully: a failed batch keeps its partition's turn until that point is passed, so no other topic
 * observes a half-applied batch that the model does not know yet.
 */
export const deliverAll = async (logs: Logs, options: DeliveryOptions): Promise<DeliveryStats> => {
  const { random, model } = options;
  const committed = committedOffsets(logs);
  const learned = new Set<string>();
  const stats: DeliveryStats = { invocations: 0, failedInvocations: 0, redeliveredRecords: 0 };

  const deliver = async (
    key: string,
    log: readonly LogEntry[],
    start: number,
    end: number,
  ): Promise<boolean> => {
    const failuresAllowed = options.faultRate > 0;
    stats.invocations += 1;
    const context =
      random() < options.timeoutRate ? runningOutContext(Math.floor(random() * 4)) : createLambdaContext();
    try {
      await options.invoke(mskEvent(log.slice(start, end).map((entry) => entry.record)), context);
    } catch (error) {
      if (!failuresAllowed && options.timeoutRate === 0) throw error;
      stats.failedInvocations += 1;
      return false;
    }
    for (let offset = start; offset < end; offset++) {
      const id = `${key}:${offset}`;
      if (learned.has(id)) {
        stats.redeliveredRecords += 1;
        const change = log[offset]?.change;
        if (change !== undefined) model.redeliver(change);
        continue;
      }
      learned.add(id);
      const change = log[offset]?.change;
      if (change !== undefined) model.apply(change);
    }
    return true;
  };

  for (let next = committed.pickPending(random); next !== undefined; next = committed.pickPending(random)) {
    const [key, log] = next;
    const start = committed.of(key);
    let mustReach = Math.min(log.length, start + 1 + Math.floor(random() * options.maxBatch));
    let failures = 0;
    while (committed.of(key) < mustReach) {
      const from = committed.of(key);
      const to = Math.min(log.length, from + 1 + Math.floor(random() * options.maxBatch));
      for (const injector of options.injectors)
        injector.rate = failures < MAX_FAILURES_IN_A_ROW ? options.faultRate : 0;
      const end = failures < MAX_FAILURES_IN_A_ROW ? to : Math.max(to, mustReach);
      const succeeded = await deliver(key, log, from, end);
      if (!succeeded) {
        failures += 1;
        // The failed batch may have applied records beyond the current goal: the partition keeps its turn
        // until the model has learned them too, or another topic could observe changes it does not know.
        mustReach = Math.max(mustReach, end);
        continue;
      }
      const lostCommit = random() < options.lostCommitRate;
      committed.commit(key, lostCommit ? from + Math.floor(random() * (to - from)) : to);
    }
  }
  return stats;
};
