import { Stack } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IWidget,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { EventSourceMapping, IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ESM_ERROR_METRICS,
  ESM_LAG_METRICS,
  type EsmMetricName,
  type ExpiryMetricName,
  functionOffsetLag,
  type HandlerMetricName,
  handlerMetric,
  type MetricsIdentity,
  mappingMetric,
} from './inventory-metrics.js';

export interface InventoryDashboardProps {
  /** This deployment's handler metrics (the functions' POWERTOOLS_* variables). */
  readonly telemetry: MetricsIdentity;
  readonly function: IFunction;
  /** The ledger stream's consumer (ExpiryFunction) and its mapping's on-failure queue. */
  readonly expiryFunction: IFunction;
  readonly expiryFailureQueue: IQueue;
  /** Kafka mappings by subscription name; empty when no source is configured. */
  readonly mappings: ReadonlyMap<string, EventSourceMapping>;
  readonly alarms: readonly IAlarm[];
}

const WIDTH = 8;
const HALF = 12;
const HEIGHT = 6;

const countGraph = (
  telemetry: MetricsIdentity,
  title: string,
  names: readonly (HandlerMetricName | ExpiryMetricName)[],
): GraphWidget =>
  new GraphWidget({
    title,
    left: names.map((name) => handlerMetric(telemetry, name)),
    width: WIDTH,
    height: HEIGHT,
  });

/** One line per mapping and metric, labelled `<metric> <mapping>`. */
const mappingLines = (mappings: ReadonlyMap<string, EventSourceMapping>, names: readonly EsmMetricName[]) =>
  [...mappings].flatMap(([mappingName, mapping]) =>
    names.map((name) => mappingMetric(mapping, name, { label: `${name} ${mappingName}` })),
  );

/** What the mappings report about themselves (their MetricsConfig): flow, failures, pollers. */
const mappingRow = (mappings: ReadonlyMap<string, EventSourceMapping>): IWidget[] => [
  new GraphWidget({
    title: 'Kafka mappings: records polled, invoked, committed',
    left: mappingLines(mappings, ['PolledEventCount', 'InvokedEventCount', 'CommittedEventCount']),
    width: WIDTH,
    height: HEIGHT,
  }),
  new GraphWidget({
    title: 'Kafka mappings: failures (should be 0)',
    left: mappingLines(mappings, [
      'FailedInvokeEventCount',
      'DroppedEventCount',
      'OnFailureDestinationDeliveredEventCount',
      ...ESM_ERROR_METRICS,
    ]),
    width: WIDTH,
    height: HEIGHT,
  }),
  new GraphWidget({
    title: 'Kafka pollers and polled bytes',
    left: mappingLines(mappings, ['ProvisionedPollers']),
    right: mappingLines(mappings, ['EventPollerThroughputInBytes']),
    width: WIDTH,
    height: HEIGHT,
  }),
];

/**
 * One page an operator reads top to bottom: throughput, trouble, the function, expired order lines, what the
 * Kafka mappings report, then Kafka lag and alarms.
 */
export class InventoryDashboard extends Construct {
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: InventoryDashboardProps) {
    super(scope, id);
    const fn = props.function;
    // Per mapping: the KafkaMetrics group's worst-partition and total lag, by EventSourceMappingUUID.
    const lagLines = mappingLines(props.mappings, ESM_LAG_METRICS);
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown:
            '## Inventory CDC\nCounts are per minute from the handlers (EMF). Dead-letter writes, errors, changes beyond the lag bound and expired order lines dead-lettered should be 0.',
          width: 24,
          height: 2,
        }),
      ],
      [
        countGraph(props.telemetry, 'Records processed, writes and their attempts (contention)', [
          'RecordsProcessed',
          'DynamoDbWrites',
          'DynamoDbWriteAttempts',
        ]),
        countGraph(props.telemetry, 'Inventory changes', [
          'ProductsUpserted',
          'ProductsDeleted',
          'StockDecremented',
          'OrderLineEdits',
        ]),
        countGraph(props.telemetry, 'Order lines recorded, not subtracted', [
          'OrderLinesInCount',
          'OrderLinesPending',
        ]),
      ],
      [
        countGraph(props.telemetry, 'Failures and edits not applied', [
          'DLQWrites',
          'ProcessingErrors',
          'OrderLineEditsUnknown',
        ]),
        countGraph(props.telemetry, 'Changes beyond the lag bound', ['ChangesBeyondLagBound']),
        countGraph(props.telemetry, 'Low-stock alerts', ['LowStockAlerts']),
      ],
      [
        countGraph(props.telemetry, 'Skipped on purpose', [
          'DuplicatesSkipped',
          'StaleEventsSkipped',
          'TombstonesSkipped',
          'EventsIgnored',
          'TruncatesIgnored',
        ]),
        new GraphWidget({
          title: 'Function errors and throttles',
          left: [fn.metricErrors(), fn.metricThrottles(), fn.metricInvocations()],
          width: WIDTH,
          height: HEIGHT,
        }),
        new GraphWidget({
          title: 'Function duration',
          left: [
            fn.metricDuration({ statistic: Stats.percentile(50) }),
            fn.metricDuration({ statistic: Stats.percentile(99) }),
            fn.metricDuration({ statistic: Stats.MAXIMUM }),
          ],
          width: WIDTH,
          height: HEIGHT,
        }),
      ],
      [
        countGraph(props.telemetry, 'Expired pending order lines', [
          'ExpiredOrderLinesCounted',
          'ExpiredOrderLinesDeadLettered',
        ]),
        new GraphWidget({
          title: 'Expiry function errors and throttles',
          left: [
            props.expiryFunction.metricErrors(),
            props.expiryFunction.metricThrottles(),
            props.expiryFunction.metricInvocations(),
          ],
          width: WIDTH,
          height: HEIGHT,
        }),
        new GraphWidget({
          title: 'Expiry batches given up on (failure queue)',
          left: [
            props.expiryFailureQueue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM }),
          ],
          width: WIDTH,
          height: HEIGHT,
        }),
      ],
      ...(props.mappings.size === 0 ? [] : [mappingRow(props.mappings)]),
      [
        new GraphWidget({
          title: 'Kafka offset lag',
          left: [...lagLines, functionOffsetLag(fn, undefined, 'OffsetLag (function, worst mapping)')],
          width: HALF,
          height: HEIGHT,
        }),
        new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: HALF, height: HEIGHT }),
      ],
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-inventory`,
      widgets: rows,
    });
  }
}
