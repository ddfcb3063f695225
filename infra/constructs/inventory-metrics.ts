import { Duration } from 'aws-cdk-lib';
import { Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { EventSourceMapping, IFunction } from 'aws-cdk-lib/aws-lambda';

/** The namespace of both handlers' EMF metrics (POWERTOOLS_METRICS_NAMESPACE); lambda/telemetry's default. */
export const METRICS_NAMESPACE = 'InventoryService';

/**
 * Where one deployment's handler metrics are: a namespace and the `service` dimension, which carries the
 * stage (stage-names.ts). The functions get both as POWERTOOLS_METRICS_NAMESPACE / POWERTOOLS_SERVICE_NAME, and
 * their alarms and dashboard read the same pair, so no two stages share a custom metric.
 */
export interface MetricsIdentity {
  readonly namespace: string;
  readonly serviceName: string;
}

/**
 * The EMF metrics the handler emits through Powertools (MetricsIdentity: namespace and service dimension).
 * Mirrors lambda/telemetry/metric-names.ts; test/infra checks the two lists still agree.
 */
export const HANDLER_METRICS = [
  'RecordsProcessed',
  'ProductsUpserted',
  'ProductsDeleted',
  'StockDecremented',
  'LowStockAlerts',
  'DLQWrites',
  'ProcessingErrors',
  'DuplicatesSkipped',
  'StaleEventsSkipped',
  'TombstonesSkipped',
  'EventsIgnored',
  'DynamoDbWrites',
  'DynamoDbWriteAttempts',
  'OrderLinesInCount',
  'OrderLinesPending',
  'OrderLineEdits',
  'OrderLineEditsUnknown',
  'ChangesBeyondLagBound',
  'TruncatesIgnored',
] as const;
export type HandlerMetricName = (typeof HANDLER_METRICS)[number];

/**
 * The EMF metrics the expiry function emits, in the same namespace and with the same service dimension.
 * Mirrors lambda/telemetry/expiry-metric-names.ts; test/infra checks the two lists still agree.
 */
export const EXPIRY_METRICS = ['ExpiredOrderLinesCounted', 'ExpiredOrderLinesDeadLettered'] as const;
export type ExpiryMetricName = (typeof EXPIRY_METRICS)[number];

const PERIOD = Duration.minutes(1);

export const handlerMetric = (
  identity: MetricsIdentity,
  name: HandlerMetricName | ExpiryMetricName,
  period: Duration = PERIOD,
): Metric =>
  new Metric({
    namespace: identity.namespace,
    metricName: name,
    dimensionsMap: { service: identity.serviceName },
    statistic: Stats.SUM,
    period,
  });

/** Worst lag across every Kafka mapping of the function; the alarm uses this series. */
export const functionOffsetLag = (fn: IFunction, period: Duration = PERIOD, label?: string): Metric =>
  fn.metric('OffsetLag', { statistic: Stats.MAXIMUM, period, ...(label === undefined ? {} : { label }) });

/**
 * The Kafka mapping metrics Lambda sends to AWS/Lambda per EventSourceMappingUUID once the mapping's
 * MetricsConfig asks for their group (Lambda developer guide, "Types of metrics for Lambda functions",
 * event source mapping metrics).
 */
export const ESM_EVENT_METRICS = [
  'PolledEventCount',
  'InvokedEventCount',
  'FailedInvokeEventCount',
  'DroppedEventCount',
  'OnFailureDestinationDeliveredEventCount',
  'CommittedEventCount',
] as const;
/** The ErrorCount group; Lambda emits these only when an error happened. */
export const ESM_ERROR_METRICS = [
  'PollingErrorCount',
  'InvokeErrorCount',
  'OnFailureDestinationDeliveryErrorCount',
  'SchemaRegistryErrorCount',
  'CommitErrorCount',
] as const;
/** Provisioned mode: pollers running (view with MAX) and bytes they polled (SUM). */
export const ESM_POLLER_METRICS = ['ProvisionedPollers', 'EventPollerThroughputInBytes'] as const;
/**
 * The KafkaMetrics group: a mapping's lag behind the end of its topic, the worst partition's and all partitions'
 * together, in records. (`OffsetLag` is the function's metric, by FunctionName; it has no per-mapping series.)
 */
export const ESM_LAG_METRICS = ['MaxOffsetLag', 'SumOffsetLag'] as const;
export type EsmMetricName =
  | (typeof ESM_EVENT_METRICS)[number]
  | (typeof ESM_ERROR_METRICS)[number]
  | (typeof ESM_POLLER_METRICS)[number]
  | (typeof ESM_LAG_METRICS)[number];

/** Gauges, read with MAX; every other mapping metric is a count, read with SUM. */
const GAUGES: ReadonlySet<EsmMetricName> = new Set(['ProvisionedPollers', ...ESM_LAG_METRICS]);

/** One of a mapping's own metrics. */
export const mappingMetric = (
  mapping: EventSourceMapping,
  name: EsmMetricName,
  options: { readonly label?: string; readonly statistic?: string; readonly period?: Duration } = {},
): Metric =>
  new Metric({
    namespace: 'AWS/Lambda',
    metricName: name,
    dimensionsMap: { EventSourceMappingUUID: mapping.eventSourceMappingId },
    statistic: options.statistic ?? (GAUGES.has(name) ? Stats.MAXIMUM : Stats.SUM),
    period: options.period ?? PERIOD,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
