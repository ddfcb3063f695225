import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EXPIRY_FUNCTION_LOGICAL_ID,
  EXPIRY_LEDGER_ACTIONS,
  EXPIRY_TABLE_ACTIONS,
} from '../../infra/constructs/expiry-function.js';
import { FUNCTION_LOGICAL_ID } from '../../infra/constructs/inventory-function.js';
import { EXPIRY_METRICS } from '../../infra/constructs/inventory-metrics.js';
import {
  LEDGER_EXPIRY_FILTER,
  STREAM_LIST_ACTIONS,
  STREAM_READ_ACTIONS,
} from '../../infra/constructs/ledger-stream-source.js';
import { loadConfig } from '../../lambda/config.js';
import { expiredPendingOrderLines, type LedgerStreamRecord } from '../../lambda/expiry/expired-entries.js';
import { ExpiryMetricName } from '../../lambda/telemetry/expiry-metric-names.js';
import { buildStack, EXPIRY_HANDLER_ENTRY, MSK_CONTEXT, templateFor } from './stack-fixture.js';

type Resources = Record<
  string,
  {
    Type: string;
    Properties: Record<string, unknown>;
    DependsOn?: string[];
    Metadata?: Record<string, string>;
  }
>;
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };

const queueArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^LedgerStreamFailureQueue'), 'Arn'] };
const streamArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^LedgerTable'), 'StreamArn'] };

/** The filter pattern as Lambda stores it: the JSON text of FilterCriteria.Filters[0].Pattern. */
const EXPECTED_PATTERN = {
  userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
  eventName: ['REMOVE'],
  dynamodb: { OldImage: { pending: { BOOL: [true] } } },
};

/** Equality-only event patterns (all this filter uses): every leaf array must contain the record's value. */
const matchesPattern = (pattern: unknown, value: unknown): boolean =>
  Array.isArray(pattern)
    ? pattern.includes(value)
    : typeof value === 'object' &&
      value !== null &&
      Object.entries(pattern as Record<string, unknown>).every(([key, sub]) =>
        matchesPattern(sub, (value as Record<string, unknown>)[key]),
      );

const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
const pendingImage = {
  product_id: { N: '7' },
  entry: { S: 'O000001#42' },
  pending: { BOOL: true },
  source_record: { S: JSON.stringify({ topic: 'dbserver1.public.order_items', partition: 0, offset: 5 }) },
};

const policiesOfRole = (template: Template, roleLogicalId: RegExp) =>
  Object.entries(template.findResources('AWS::IAM::Policy') as Resources).filter(([, policy]) =>
    (policy.Properties.Roles as { Ref: string }[]).some((role) => roleLogicalId.test(role.Ref)),
  );

describe('The ledger stream and its expiry function', () => {
  let stack: Stack;
  let template: Template;

  beforeAll(() => {
    // Prepare
    stack = buildStack(MSK_CONTEXT).stack;
    template = Template.fromStack(stack);
  });

  it('streams the ledger table with old images only', () => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'inventory-realtime-ledger',
      StreamSpecification: { StreamViewType: 'OLD_IMAGE' },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'inventory-realtime',
      StreamSpecification: Match.absent(),
    });
  });

  it('runs the expiry handler like the batch function, small and short, with the same environment', () => {
    // Act
    const functions = template.findResources('AWS::Lambda::Function') as Resources;
    const expiry = functions[EXPIRY_FUNCTION_LOGICAL_ID]?.Properties;
    const consumer = functions[FUNCTION_LOGICAL_ID]?.Properties;

    // Assess
    expect(expiry).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 60,
      LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/^ExpiryLogs/) } },
      Role: { 'Fn::GetAtt': [expect.stringMatching(/^ExpiryRole/), 'Arn'] },
    });
    expect(expiry?.ReservedConcurrentExecutions).toBeUndefined();
    expect(expiry?.Environment).toEqual(consumer?.Environment);
    expect(expiry?.Environment).toMatchObject({
      Variables: {
        DYNAMODB_TABLE: { Ref: expect.stringMatching(/^InventoryTable/) },
        LEDGER_TABLE: { Ref: expect.stringMatching(/^LedgerTable/) },
        DLQ_S3_BUCKET: { Ref: expect.stringMatching(/^DeadLettersBucket/) },
        POWERTOOLS_SERVICE_NAME: 'inventory-service',
        POWERTOOLS_METRICS_NAMESPACE: 'InventoryService',
      },
    });
  });

  it('gives the expiry function an environment its handler loads as configured', () => {
    // Prepare
    const configured = templateFor({ tableName: 'stock-eu', stockModel: 'ledger', lagBoundHours: '336' });
    const tables = configured.findResources('AWS::DynamoDB::Table') as Resources;
    const fn = (configured.findResources('AWS::Lambda::Function') as Resources)[EXPIRY_FUNCTION_LOGICAL_ID];
    const variables = (fn?.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    const environment = Object.fromEntries(
      Object.entries(variables ?? {}).map(([name, value]) => {
        if (typeof value === 'string') return [name, value];
        const ref = (value as { Ref?: string }).Ref ?? '';
        return [name, String(tables[ref]?.Properties.TableName ?? `<${ref}>`)];
      }),
    );

    // Act
    const config = loadConfig(environment);

    // Assess
    expect(config).toMatchObject({
      tableName: 'stock-eu',
      ledgerTableName: 'stock-eu-ledger',
      stockModel: 'ledger',
      lagBoundHours: 336,
    });
    expect(config.deadLetterBucket).not.toBe('');
  });

  it('maps the ledger stream to it from the oldest record, bounded, with an SQS on-failure destination', () => {
    // Assess
    template.hasResource('AWS::Lambda::EventSourceMapping', {
      DependsOn: [Match.stringLikeRegexp('^LedgerStreamStreamAccess')],
      Properties: {
        FunctionName: { Ref: EXPIRY_FUNCTION_LOGICAL_ID },
        EventSourceArn: streamArn,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        FunctionResponseTypes: Match.absent(),
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      },
    });
  });

  it('invokes it only for TTL removals of pending entries (exact filter pattern)', () => {
    // Act
    const [mapping] = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { FunctionName: { Ref: EXPIRY_FUNCTION_LOGICAL_ID } },
      }) as Resources,
    );
    const filters =
      (mapping?.Properties.FilterCriteria as { Filters: { Pattern: string }[] } | undefined)?.Filters ?? [];

    // Assess
    expect(filters).toHaveLength(1);
    expect(JSON.parse(filters[0]?.Pattern ?? 'null')).toEqual(EXPECTED_PATTERN);
    expect(filters[0]?.Pattern).toBe(
      '{"userIdentity":{"type":["Service"],"principalId":["dynamodb.amazonaws.com"]},' +
        '"eventName":["REMOVE"],"dynamodb":{"OldImage":{"pending":{"BOOL":[true]}}}}',
    );
  });

  it.each<[string, LedgerStreamRecord, boolean]>([
    [
      'a TTL removal of a pending entry',
      { eventName: 'REMOVE', userIdentity: TTL_IDENTITY, dynamodb: { OldImage: pendingImage } },
      true,
    ],
    ['a delete by anyone else', { eventName: 'REMOVE', dynamodb: { OldImage: pendingImage } }, false],
    [
      'a TTL removal of an entry recorded while its product existed',
      {
        eventName: 'REMOVE',
        userIdentity: TTL_IDENTITY,
        dynamodb: { OldImage: { ...pendingImage, pending: { BOOL: false } } },
      },
      false,
    ],
    [
      'an update of a pending entry',
      { eventName: 'MODIFY', userIdentity: TTL_IDENTITY, dynamodb: { OldImage: pendingImage } },
      false,
    ],
  ])('lets through what the handler settles, and nothing else: %s', (_case, record, settled) => {
    // Act
    const passesFilter = matchesPattern(EXPECTED_PATTERN, record);
    const handled = expiredPendingOrderLines([record]).length === 1;

    // Assess
    expect(passesFilter).toBe(settled);
    expect(handled).toBe(settled);
    expect(JSON.parse(JSON.stringify(LEDGER_EXPIRY_FILTER))).toEqual(EXPECTED_PATTERN);
  });

  it('keeps given-up batches in an encrypted, TLS-only queue for 14 days', () => {
    // Assess
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets the expiry function only read an item of either table, update a ledger head, and put dead letters', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^ExpiryRuntimeAccess'),
      Roles: [{ Ref: Match.stringLikeRegexp('^ExpiryRole') }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'WriteOwnLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExpiryLogs'), 'Arn'] },
          },
          {
            Sid: 'ReadInventoryTable',
            Effect: 'Allow',
            Action: 'dynamodb:GetItem',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InventoryTable'), 'Arn'] },
          },
          {
            Sid: 'LedgerHead',
            Effect: 'Allow',
            Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LedgerTable'), 'Arn'] },
          },
          {
            Sid: 'DeadLetters',
            Effect: 'Allow',
            Action: ['s3:PutObject', 's3:GetObject'],
            Resource: {
              'Fn::Join': [
                '',
                [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLettersBucket'), 'Arn'] }, '/*'],
              ],
            },
          },
        ],
      },
    });
    expect(EXPIRY_TABLE_ACTIONS).toEqual(['dynamodb:GetItem']);
    expect(EXPIRY_LEDGER_ACTIONS).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  });

  it('lets its mapping read that stream, list streams and send to that queue, in a policy of its own', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^LedgerStreamStreamAccess'),
      Roles: [{ Ref: Match.stringLikeRegexp('^ExpiryRole') }],
      PolicyDocument: {
        Statement: [
          { Sid: 'ReadLedgerStream', Effect: 'Allow', Action: [...STREAM_READ_ACTIONS], Resource: streamArn },
          { Sid: 'ListStreams', Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
          { Sid: 'OnFailureDestination', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueArn },
        ],
      },
    });
    expect(STREAM_READ_ACTIONS).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
    ]);
    expect(STREAM_LIST_ACTIONS).toEqual(['dynamodb:ListStreams']);
  });

  it('gives the expiry role nothing beyond those two policies: no writes but the ledger head bump, no S3 reads', () => {
    // Act
    const policies = policiesOfRole(template, /^ExpiryRole/);
    const statements = policies.flatMap(
      ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    const actions = statements.flatMap((statement) => [statement.Action].flat());

    // Assess
    expect(policies.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^ExpiryRuntimeAccess/),
      expect.stringMatching(/^LedgerStreamStreamAccess/),
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('expiry function'),
      ManagedPolicyArns: Match.absent(),
    });
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:UpdateItem',
    ]);
    expect(actions.filter((action) => action.startsWith('s3:'))).toEqual(['s3:PutObject', 's3:GetObject']);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    expect(statements.filter((statement) => statement.Resource === '*').map((s) => s.Sid)).toEqual([
      'ListStreams',
    ]);
  });

  it('alarms on dead-lettered expired lines, expiry function errors and a non-empty failure queue', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'InventoryService',
      MetricName: 'ExpiredOrderLinesDeadLettered',
      Dimensions: [{ Name: 'service', Value: 'inventory-service' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: EXPIRY_FUNCTION_LOGICAL_ID } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LedgerStreamFailureQueue'), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms when the ledger stream mapping falls an hour behind or cannot write its failure queue', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: EXPIRY_FUNCTION_LOGICAL_ID } }],
      Statistic: 'Maximum',
      Threshold: 3_600_000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'DestinationDeliveryFailures',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: EXPIRY_FUNCTION_LOGICAL_ID } }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('puts both expiry metrics, the expiry function and the failure queue on the dashboard', () => {
    // Act
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);

    // Assess
    for (const metric of EXPIRY_METRICS) expect(body).toContain(`\\"${metric}\\"`);
    expect(body).toContain('Expired pending order lines');
    expect(body).toContain(EXPIRY_FUNCTION_LOGICAL_ID);
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
  });

  it('agrees with the runtime on the expiry metric names', () => {
    // Assess
    expect([...EXPIRY_METRICS].sort()).toEqual(Object.values(ExpiryMetricName).sort());
  });
});

// Runs esbuild: proves the expiry function's asset is lambda/expiry-handler.ts, not the batch handler.
describe.runIf(existsSync(EXPIRY_HANDLER_ENTRY))('ExpiryFunction bundle', () => {
  it('bundles lambda/expiry-handler.ts as minified ESM with the createRequire banner', () => {
    // Prepare
    const { app, stack } = buildStack(
      {},
      { bundle: true, cliContext: { 'aws:cdk:enable-asset-metadata': true } },
    );

    // Act
    const assembly = app.synth();
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function') as Resources;
    const code = (logicalId: string): string =>
      readFileSync(
        join(assembly.directory, functions[logicalId]?.Metadata?.['aws:asset:path'] ?? '', 'index.mjs'),
        'utf8',
      );

    // Assess
    const expiry = code(EXPIRY_FUNCTION_LOGICAL_ID);
    expect(
      expiry.startsWith('import{createRequire}from"module";const require=createRequire(import.meta.url);'),
    ).toBe(true);
    expect(expiry).toContain('ExpiredOrderLinesDeadLettered');
    expect(expiry).toContain('Event is not a DynamoDB Streams event');
    expect(code(FUNCTION_LOGICAL_ID)).not.toContain('ExpiredOrderLinesDeadLettered');
  }, 120_000);
});
