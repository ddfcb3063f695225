import type { Context } from 'aws-lambda';
import type { InvocationSummary } from '../../lambda/create-handler.js';
import { createLambdaContext } from '../../scripts/local/lambda-context.js';
import { committedOffsets, type PartitionLogs } from './committed-offsets.js';
import { mskEvent } from './debezium.js';

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
 * Plays the event source mapping the strict way: a failed batch is retried from the same offsets until it
 * succeeds before anything else moves, so every fault meets a half-applied batch that its own redelivery
 * must complete. `mapping-simulator.ts` plays it the loose way (new boundaries, lost commits, two mappings
 * at once) for the exactly-once property.
 */
export const deliverWithRedelivery = async (
  logs: PartitionLogs,
  options: RedeliveryOptions,
): Promise<RedeliveryStats> => {
  const { random } = options;
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
    const event = mskEvent(log.slice(from, to));
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
    committed.commit(key, to);
  }
  return stats;
};
