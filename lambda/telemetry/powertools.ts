import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Counts } from './batch-counters.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metric-names.js';

/** Environment (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL) overrides these. */
export const createLogger = (): Logger => new Logger({ serviceName: SERVICE_NAME });

export const createMetrics = (): Metrics =>
  new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/** Every counter is published, zeros included, so dashboards and alarms always have data points. */
export const addCountMetrics = (metrics: Metrics, counts: Readonly<Counts>): void => {
  for (const [name, value] of Object.entries(counts)) {
    metrics.addMetric(name, MetricUnit.Count, value);
  }
};
