import { Duration } from 'aws-cdk-lib';
import { Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { EventSourceMapping, IFunction } from 'aws-cdk-lib/aws-lambda';
import { POWERTOOLS } from './inventory-function.js';

/**
 * The EMF metrics the handler emits through Powertools (namespace InventoryService, dimension service).
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
  'OrderLinesInCount',
  'OrderLinesPending',
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
  name: HandlerMetricName | ExpiryMetricName,
  period: Duration = PERIOD,
): Metric =>
  new Metric({
    namespace: POWERTOOLS.metricsNamespace,
    metricName: name,
    dimensionsMap: { service: POWERTOOLS.serviceName },
    statistic: Stats.SUM,
    period,
  });

/** Lag of one mapping's consumer group behind the end of its topic. */
export const mappingOffsetLag = (mapping: EventSourceMapping, label: string): Metric =>
  new Metric({
    namespace: 'AWS/Lambda',
    metricName: 'OffsetLag',
    dimensionsMap: { EventSourceMappingUUID: mapping.eventSourceMappingId },
    statistic: Stats.MAXIMUM,
    period: PERIOD,
    label,
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
export type EsmMetricName =
  | (typeof ESM_EVENT_METRICS)[number]
  | (typeof ESM_ERROR_METRICS)[number]
  | (typeof ESM_POLLER_METRICS)[number]
  | 'MaxOffsetLag';

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
    statistic:
      options.statistic ??
      (name === 'ProvisionedPollers' || name === 'MaxOffsetLag' ? Stats.MAXIMUM : Stats.SUM),
    period: options.period ?? PERIOD,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
