import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  ESM_ERROR_METRICS,
  ESM_EVENT_METRICS,
  ESM_LAG_METRICS,
  ESM_POLLER_METRICS,
  HANDLER_METRICS,
} from '../../infra/constructs/inventory-metrics.js';
import { MSK_CONTEXT, SELF_MANAGED_CONTEXT, templateFor } from './stack-fixture.js';

const dashboardBody = (template: ReturnType<typeof templateFor>): string => {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  // The body is an Fn::Join of literal JSON and tokens; the literal parts carry every metric name.
  return JSON.stringify(dashboard?.Properties.DashboardBody);
};

describe('InventoryAlarms and InventoryDashboard', () => {
  it('alarms on dead letters, processing errors, late changes, function errors, low stock and offset lag', () => {
    // Prepare
    const template = templateFor(MSK_CONTEXT);

    // Assess
    // Five watch the expiry function (ledger-expiry.test.ts); eight more the mappings (below).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 22);
    for (const metricName of ['DLQWrites', 'ProcessingErrors', 'ChangesBeyondLagBound', 'LowStockAlerts']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'InventoryService',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'inventory-service' }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'OffsetLag',
      Statistic: 'Maximum',
      Threshold: 1000,
      EvaluationPeriods: 3,
      // Decided: silence is no lag; a mapping that stopped polling has its own alarm (MappingNotPolling).
      TreatMissingData: 'notBreaching',
    });
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('notifies an encrypted SNS topic of every operational alarm, but not of low stock, when alarmEmail is given', () => {
    // Prepare
    const template = templateFor({ alarmEmail: 'ops@example.com', offsetLagThreshold: '5000' });

    // Assess
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'OffsetLag', Threshold: 5000 });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    // No Kafka source: no mapping alarms.
    expect(alarms).toHaveLength(14);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions ?? []).toHaveLength(
        alarm.Properties.MetricName === 'LowStockAlerts' ? 0 : 1,
      );
    }
  });

  it('lets CloudWatch use the topic key only for this account’s alarms (aws:SourceAccount, aws:SourceArn)', () => {
    // Prepare
    const template = templateFor({ alarmEmail: 'ops@example.com' });

    // Act
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    const statements = key?.Properties.KeyPolicy.Statement as Array<{
      Principal?: { Service?: string };
      Condition?: Record<string, Record<string, unknown>>;
    }>;
    const cloudWatch = statements.filter(
      (statement) => statement.Principal?.Service === 'cloudwatch.amazonaws.com',
    );

    // Assess
    expect(cloudWatch).toHaveLength(1);
    expect(cloudWatch[0]?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':cloudwatch:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':alarm:*',
            ],
          ],
        },
      },
    });
  });

  it('sends low stock to a topic of its own when lowStockEmail is given, apart from the operational one', () => {
    // Prepare
    const template = templateFor({ alarmEmail: 'ops@example.com', lowStockEmail: 'buyers@example.com' });

    // Assess
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.resourceCountIs('AWS::KMS::Key', 1);
    const topicOf = (email: string) =>
      Object.values(template.findResources('AWS::SNS::Subscription')).find(
        (subscription) => subscription.Properties.Endpoint === email,
      )?.Properties.TopicArn;
    const opsTopic = topicOf('ops@example.com');
    const lowStockTopic = topicOf('buyers@example.com');
    expect(opsTopic).toBeDefined();
    expect(lowStockTopic).toBeDefined();
    expect(lowStockTopic).not.toEqual(opsTopic);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      const expected = alarm.Properties.MetricName === 'LowStockAlerts' ? lowStockTopic : opsTopic;
      expect(alarm.Properties.AlarmActions).toEqual([expected]);
    }
  });

  it('alarms on throttles, a p99 duration above 80 % of the timeout and failed on-failure deliveries', () => {
    // Prepare
    const template = templateFor({ ...MSK_CONTEXT, timeoutSeconds: '300' });

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'InventoryFunction' } }],
      Statistic: 'Sum',
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'InventoryFunction' } }],
      ExtendedStatistic: 'p99',
      Threshold: 240_000,
      EvaluationPeriods: 3,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'DestinationDeliveryFailures',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'InventoryFunction' } }],
      Threshold: 0,
    });
  });

  it('alarms per mapping on its ErrorCount group, dropped records and batches sent to the on-failure destination', () => {
    // Prepare
    const template = templateFor(SELF_MANAGED_CONTEXT);
    const mappingIds = Object.keys(
      template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { Topics: Match.anyValue() } }),
    );

    // Assess
    expect(mappingIds).toHaveLength(2);
    for (const id of mappingIds) {
      const byUuid = [{ Name: 'EventSourceMappingUUID', Value: { Ref: id } }];
      for (const metricName of ['DroppedEventCount', 'OnFailureDestinationDeliveredEventCount']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metricName,
          Dimensions: byUuid,
          Statistic: 'Sum',
          Threshold: 0,
          TreatMissingData: 'notBreaching',
        });
      }
      // A stuck mapping is not silent: Lambda sends PolledEventCount on every poll (0 when empty), so no
      // sample for 15 minutes is an alarm.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'PolledEventCount',
        Dimensions: byUuid,
        Statistic: 'SampleCount',
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 3,
        TreatMissingData: 'breaching',
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 0,
        Metrics: Match.arrayWith(
          ESM_ERROR_METRICS.map((metricName) =>
            Match.objectLike({
              MetricStat: Match.objectLike({
                Metric: { Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: byUuid },
              }),
            }),
          ),
        ),
      });
    }
  });

  it('puts every handler metric, the function health, both mappings’ own metrics and offset lag on one dashboard', () => {
    // Prepare
    const template = templateFor(MSK_CONTEXT);

    // Act
    const body = dashboardBody(template);

    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    for (const metric of HANDLER_METRICS) expect(body).toContain(`\\"${metric}\\"`);
    for (const metric of ['Errors', 'Throttles', 'Duration', 'OffsetLag'])
      expect(body).toContain(`\\"${metric}\\"`);
    for (const metric of [...ESM_EVENT_METRICS, ...ESM_ERROR_METRICS, ...ESM_POLLER_METRICS])
      expect(body).toContain(`\\"${metric}\\"`);
    expect(body).toContain('EventSourceMappingUUID');
    expect(body).toMatch(/KafkaProducts/);
    expect(body).toMatch(/KafkaOrderItems/);
    expect(body).toContain('\\"alarms\\"');
  });

  it('plots each mapping’s lag with the KafkaMetrics group’s MaxOffsetLag and SumOffsetLag, by mapping UUID', () => {
    // Prepare
    const template = templateFor(MSK_CONTEXT);
    const mappingIds = Object.keys(
      template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { Topics: Match.anyValue() } }),
    );

    // Act
    const body = dashboardBody(template);

    // Assess
    expect(mappingIds).toHaveLength(2);
    for (const id of mappingIds) {
      for (const metric of ESM_LAG_METRICS) {
        expect(body).toContain(
          `[\\"AWS/Lambda\\",\\"${metric}\\",\\"EventSourceMappingUUID\\",\\"",{"Ref":"${id}"}`,
        );
      }
    }
    // OffsetLag is a function metric: Lambda sends no OffsetLag series per mapping UUID.
    expect(body).not.toContain('\\"OffsetLag\\",\\"EventSourceMappingUUID');
    expect(body).toContain('\\"OffsetLag\\",\\"FunctionName\\"');
  });
});
