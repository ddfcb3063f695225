import type { Template } from 'aws-cdk-lib/assertions';
import { Template as Templates } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { alarmCustomMetrics, dashboardCustomMetrics, functionMetricIdentities } from './custom-metrics.js';
import { buildStack, MSK_CONTEXT, type StackContext } from './stack-fixture.js';

/** Properties that name a resource account- or cluster-wide (policy, attribute and metric names are not). */
const NAME_PROPERTY =
  /^(TableName|DashboardName|AlarmName|TopicName|FunctionName|BucketName|QueueName|LogGroupName|ConsumerGroupId|PollerGroupName)$/;

/** Every literal string a resource gives as its own name (TableName, DashboardName, ConsumerGroupId, ...). */
const literalNames = (template: Template): string[] => {
  const names: string[] = [];
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'string' && NAME_PROPERTY.test(key)) names.push(value);
    else if (Array.isArray(value)) for (const item of value) visit(item, key);
    else if (value !== null && typeof value === 'object') {
      for (const [child, inner] of Object.entries(value)) visit(inner, child);
    }
  };
  for (const resource of Object.values(template.toJSON().Resources as Record<string, unknown>)) {
    visit((resource as { Properties?: unknown }).Properties, '');
  }
  return names;
};

const synth = (context: StackContext) => {
  const { stack } = buildStack({ ...MSK_CONTEXT, alarmEmail: 'ops@example.com', ...context });
  return { stackName: stack.stackName, template: Templates.fromStack(stack) };
};

describe('-c stage', () => {
  it('gives two stages disjoint names: stack, tables, dashboard, consumer groups', () => {
    // Act
    const dev = synth({ stage: 'dev' });
    const qa = synth({ stage: 'qa' });

    // Assess
    expect(dev.stackName).toBe('InventoryService-dev');
    expect(qa.stackName).toBe('InventoryService-qa');
    const devNames = literalNames(dev.template);
    const qaNames = literalNames(qa.template);
    expect(devNames).toEqual(
      expect.arrayContaining([
        'inventory-realtime-dev',
        'inventory-realtime-dev-ledger',
        'InventoryService-dev-inventory',
        'inventory-service-group-dev-products',
        'inventory-service-group-dev-order-items',
      ]),
    );
    for (const name of devNames) expect(qaNames).not.toContain(name);
  });

  it('leaves functions, alarms, topics and the bucket to CloudFormation, which names them after the stack', () => {
    // Act
    const { template } = synth({ stage: 'dev' });

    // Assess
    for (const [type, property] of [
      ['AWS::Lambda::Function', 'FunctionName'],
      ['AWS::CloudWatch::Alarm', 'AlarmName'],
      ['AWS::SNS::Topic', 'TopicName'],
      ['AWS::S3::Bucket', 'BucketName'],
      ['AWS::Logs::LogGroup', 'LogGroupName'],
      ['AWS::SQS::Queue', 'QueueName'],
    ] as const) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length, type).toBeGreaterThan(0);
      for (const resource of resources) expect(resource.Properties?.[property], type).toBeUndefined();
    }
  });

  it('keeps the names of a deployment made before stages existed when no stage is given', () => {
    // Act
    const today = synth({});

    // Assess
    expect(today.stackName).toBe('InventoryService');
    expect(literalNames(today.template)).toEqual(
      expect.arrayContaining([
        'inventory-realtime',
        'inventory-realtime-ledger',
        'InventoryService-inventory',
        'inventory-service-group-products',
        'inventory-service-group-order-items',
      ]),
    );
  });

  it('takes explicitly given names as they are, stage or not', () => {
    // Act
    const { template } = synth({
      stage: 'prod',
      tableName: 'inventory-realtime',
      consumerGroupPrefix: 'legacy',
    });

    // Assess
    expect(literalNames(template)).toEqual(
      expect.arrayContaining(['inventory-realtime', 'inventory-realtime-ledger', 'legacy-products']),
    );
  });
});

describe('-c stage, metrics', () => {
  it('gives two stages no custom metric in common: their alarms and dashboards read their own stage only', () => {
    // Prepare
    const stages = [synth({ stage: 'qa' }), synth({ stage: 'prod' })];

    // Act
    const [qa, prod] = stages.map(({ template }) => ({
      alarms: alarmCustomMetrics(template),
      dashboard: dashboardCustomMetrics(template),
      functions: functionMetricIdentities(template),
    }));

    // Assess
    expect(qa?.alarms.length).toBeGreaterThan(0);
    expect(qa?.dashboard.length).toBeGreaterThan(0);
    const prodMetrics = new Set([...(prod?.alarms ?? []), ...(prod?.dashboard ?? [])]);
    for (const metric of [...(qa?.alarms ?? []), ...(qa?.dashboard ?? [])]) {
      expect(prodMetrics.has(metric), metric).toBe(false);
    }
    // Both functions of a stage (batch and expiry) publish where that stage's alarms look, and nowhere else.
    expect(qa?.functions).toEqual([
      { namespace: 'InventoryService', service: 'inventory-service-qa' },
      { namespace: 'InventoryService', service: 'inventory-service-qa' },
    ]);
    expect(prod?.functions.map((fn) => fn.service)).toEqual([
      'inventory-service-prod',
      'inventory-service-prod',
    ]);
    for (const metric of qa?.alarms ?? []) expect(metric).toContain('service="inventory-service-qa"');
  });

  it('keeps the unstaged service name, so a deployment made before stages keeps its metric history', () => {
    // Act
    const { template } = synth({});

    // Assess
    expect(functionMetricIdentities(template)).toEqual([
      { namespace: 'InventoryService', service: 'inventory-service' },
      { namespace: 'InventoryService', service: 'inventory-service' },
    ]);
    for (const metric of alarmCustomMetrics(template))
      expect(metric).toContain('service="inventory-service"');
  });
});
