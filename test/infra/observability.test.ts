import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { HANDLER_METRICS } from '../../infra/constructs/inventory-metrics.js';
import { MSK_CONTEXT, templateFor } from './stack-fixture.js';

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
    // Three more watch the expiry function (ledger-expiry.test.ts).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
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
    });
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('notifies an encrypted SNS topic with an email subscription when alarmEmail is given', () => {
    // Prepare
    const template = templateFor({ alarmEmail: 'ops@example.com', offsetLagThreshold: '5000' });

    // Assess
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'OffsetLag', Threshold: 5000 });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });

  it('puts every handler metric, the function health and both mappings’ offset lag on one dashboard', () => {
    // Prepare
    const template = templateFor(MSK_CONTEXT);

    // Act
    const body = dashboardBody(template);

    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    for (const metric of HANDLER_METRICS) expect(body).toContain(`\\"${metric}\\"`);
    for (const metric of ['Errors', 'Throttles', 'Duration', 'OffsetLag'])
      expect(body).toContain(`\\"${metric}\\"`);
    expect(body).toContain('EventSourceMappingUUID');
    expect(body).toMatch(/KafkaProducts/);
    expect(body).toMatch(/KafkaOrderItems/);
    expect(body).toContain('\\"alarms\\"');
  });
});
