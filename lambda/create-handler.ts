import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { isKafkaEvent, type KafkaEvent } from './decode/kafka-event.js';
import { InvalidEventError, InventoryError } from './errors.js';
import { type BatchDependencies, BatchProcessor, type BatchResult } from './process-batch.js';
import { runWithCallDeadline } from './store/call-deadline.js';
import { addCountMetrics } from './telemetry/powertools.js';

/** Kept back from the invocation's remaining time for logging the failure and flushing metrics. */
export const DEADLINE_RESERVE_MS = 1_000;

export interface HandlerDependencies extends BatchDependencies {
  readonly metrics: Metrics;
}

/** What the invocation returns; the Kafka mapping ignores it, `npm run invoke` and tests read it. */
export interface InvocationSummary {
  readonly counts: BatchResult['counts'];
  readonly lowStockAlerts: BatchResult['lowStockAlerts'];
  readonly deadLetterKeys: BatchResult['deadLetterKeys'];
}

const describeEvent = (event: KafkaEvent, logger: Logger): void => {
  const partitions = Object.entries(event.records).map(([topicPartition, records]) => ({
    topicPartition,
    records: Array.isArray(records) ? records.length : 0,
  }));
  logger.info('Batch received', { eventSource: event.eventSource, partitions });
};

/**
 * The Lambda handler: middy with Powertools logging (context injected, keys reset per invocation) and
 * metrics (one EMF document per invocation, also on failure). Any thrown error fails the invocation, and
 * the event source mapping redelivers the whole batch; idempotent writes make that safe.
 */
export const createHandler = (deps: HandlerDependencies) => {
  const { logger, metrics } = deps;
  const processKafkaEvent = async (event: unknown, context: Context): Promise<InvocationSummary> => {
    if (!isKafkaEvent(event)) {
      throw new InvalidEventError('Event is not a Kafka event source mapping event (no records map)');
    }
    describeEvent(event, logger);
    const processor = new BatchProcessor(deps, event, () => context.getRemainingTimeInMillis());
    // Every AWS call must have answered a moment before Lambda would end the invocation, leaving time to
    // log the failure and flush metrics.
    const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_RESERVE_MS;
    try {
      const result = await runWithCallDeadline(deadline, () => processor.process(event));
      logger.info('Batch done', { counts: { ...result.counts } });
      return result;
    } catch (error) {
      logger.error('Batch failed; the mapping will redeliver it', {
        error,
        code: error instanceof InventoryError ? error.code : undefined,
        counts: { ...processor.counts },
      });
      throw error;
    } finally {
      addCountMetrics(metrics, processor.counts);
    }
  };
  return middy(processKafkaEvent)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
};
