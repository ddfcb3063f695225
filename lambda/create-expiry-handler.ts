import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { InvalidEventError } from './errors.js';
import { expiredPendingOrderLines, type LedgerStreamRecord } from './expiry/expired-entries.js';
import { ExpiryOutcome, settleExpiredOrderLine } from './expiry/settle-expired.js';
import type { DeadLetterStore } from './store/dead-letter.js';
import type { StoreContext } from './store/store-context.js';
import { ExpiryMetricName } from './telemetry/expiry-metric-names.js';

export interface ExpiryHandlerDependencies {
  readonly store: StoreContext;
  readonly deadLetters: DeadLetterStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface ExpirySummary {
  readonly counted: number;
  readonly deadLettered: number;
}

const isStreamEvent = (event: unknown): event is { Records: LedgerStreamRecord[] } =>
  typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);

/**
 * The ledger table's stream handler: order lines recorded while their product was absent and removed by TTL
 * after the lag bound are settled: counted if the product arrived, dead-lettered UNKNOWN_PRODUCT if not. Any
 * failure fails the invocation and the stream mapping retries the batch; settling is idempotent.
 */
export const createExpiryHandler = (deps: ExpiryHandlerDependencies) => {
  const { logger, metrics } = deps;
  const settle = async (event: unknown): Promise<ExpirySummary> => {
    if (!isStreamEvent(event))
      throw new InvalidEventError('Event is not a DynamoDB Streams event (no Records)');
    let counted = 0;
    let deadLettered = 0;
    for (const line of expiredPendingOrderLines(event.Records)) {
      const outcome = await settleExpiredOrderLine(deps.store, deps.deadLetters, line);
      if (outcome === ExpiryOutcome.COUNTED) counted += 1;
      else {
        deadLettered += 1;
        logger.warn('Order line dead-lettered: its product never arrived within the lag bound', {
          productId: line.productId,
          topic: line.record.topic,
          partition: line.record.partition,
          offset: line.record.offset,
        });
      }
    }
    metrics.addMetric(ExpiryMetricName.EXPIRED_COUNTED, MetricUnit.Count, counted);
    metrics.addMetric(ExpiryMetricName.EXPIRED_DEAD_LETTERED, MetricUnit.Count, deadLettered);
    return { counted, deadLettered };
  };
  return middy(settle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
};
