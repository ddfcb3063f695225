import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Counts } from './batch-counters.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metric-names.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where the metrics go and which service the logs name: POWERTOOLS_METRICS_NAMESPACE and
 * POWERTOOLS_SERVICE_NAME when set (the stack sets them per stage), else the defaults. Powertools prefers an
 * option given to its constructor over these variables, so they are read here rather than left to it.
 */
export const telemetryIdentity = (
  env: Env = process.env,
): { readonly namespace: string; readonly serviceName: string } => ({
  namespace: env.POWERTOOLS_METRICS_NAMESPACE?.trim() || METRICS_NAMESPACE,
  serviceName: env.POWERTOOLS_SERVICE_NAME?.trim() || SERVICE_NAME,
});

/** POWERTOOLS_LOG_LEVEL is still Powertools' own to read. */
export const createLogger = (env: Env = process.env): Logger =>
  new Logger({ serviceName: telemetryIdentity(env).serviceName });

export const createMetrics = (env: Env = process.env): Metrics => new Metrics(telemetryIdentity(env));

/** Every counter is published, zeros included, so dashboards and alarms always have data points. */
export const addCountMetrics = (metrics: Metrics, counts: Readonly<Counts>): void => {
  for (const [name, value] of Object.entries(counts)) {
    metrics.addMetric(name, MetricUnit.Count, value);
  }
};
