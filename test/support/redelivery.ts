import type { Context } from 'aws-lambda';
import type { InvocationSummary } from '../../lambda/create-handler.js';
import { createLambdaContext } from '../../scripts/local/lambda-context.js';
import { committedOffsets } from './committed-offsets.js';
import { mskEvent } from './debezium.js';
import type { InventoryModel } from './inventory-model.js';
import type { Logs } from './scenario.js';

/** What a fault plan may do around one invocation. */
export interface FaultPlan {
  /** Arms faults for the next invocation; `attempt` counts failures of this batch so far. */
  before(attempt: number): Context;
  /** Undoes what a failed invocation left broken (restarts a cut server). */
  afterFailure(): Promise<void>;
}

export interface RedeliveryOptions {
  readonly random: () => number;
  readonly invoke: (event: unknown, context: Context) => Promise<InvocationSummary>;
  readonly model: InventoryModel;
  readonly maxBatch: number;
  readonly faults: FaultPlan;
}

export interface RedeliveryStats {
  invocations: number;
  failedInvocations: number;
  redeliveredRecords: number;
  errorCodes: Record<string, number>;
}

/** After this many failures of one batch, the plan is asked for a clean attempt (attempt >= this). */
export const CLEAN_ATTEMPT_AFTER = 4;

export const normalContext = (): Context => createLambdaContext();

/**
 * Plays the event source mapping the simple way: one partition at a time, a failed batch is retried from the
 * same offset until it succeeds, and only then does the model learn it. Since a failed batch is retried
 * before any other partition moves, whatever it half-applied is completed before anything else can see it,
 * so comparing the table with the model checks exactly-once under faults without modelling partial batches.
 * `delivery-simulator.ts` plays it the hard way (new boundaries on retry, lost commits, partitions moving
 * while a batch is half-applied) for the property tests; the fault suites need this strict order instead.
 */
export const deliverWithRedelivery = async (
  logs: Logs,
  options: RedeliveryOptions,
): Promise<RedeliveryStats> => {
  const { random, model } = options;
  const stats: RedeliveryStats = {
    invocations: 0,
    failedInvocations: 0,
    redeliveredRecords: 0,
    errorCodes: {},
  };
  const committed = committedOffsets(logs);
  for (let next = committed.pickPending(random); next !== undefined; next = committed.pickPending(random)) {
    const [key, log] = next;
    const from = committed.of(key);
    const to = Math.min(log.length, from + 1 + Math.floor(random() * options.maxBatch));
    const event = mskEvent(log.slice(from, to).map((entry) => entry.record));
    for (let attempt = 0; ; attempt++) {
      stats.invocations += 1;
      try {
        await options.invoke(event, options.faults.before(attempt));
        break;
      } catch (error) {
        stats.failedInvocations += 1;
        stats.redeliveredRecords += to - from;
        const code = (error as { code?: string }).code ?? (error as Error).name;
        stats.errorCodes[code] = (stats.errorCodes[code] ?? 0) + 1;
        await options.faults.afterFailure();
        if (attempt > CLEAN_ATTEMPT_AFTER + 2) throw error;
      }
    }
    for (const entry of log.slice(from, to)) if (entry.change !== undefined) model.apply(entry.change);
    committed.commit(key, to);
  }
  return stats;
};
