import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPIRY_FUNCTION_LOGICAL_ID } from '../../infra/constructs/expiry-function.js';
import {
  FUNCTION_LOGICAL_ID,
  INVENTORY_TABLE_ACTIONS,
  LEDGER_TABLE_ACTIONS,
} from '../../infra/constructs/inventory-function.js';
import { MISSING_SOURCE_WARNING } from '../../infra/constructs/kafka-event-sources.js';
import { allPolicyActions, buildStack, templateFor } from './stack-fixture.js';

describe('InventoryStack without Kafka context', () => {
  let stack: Stack;
  let template: Template;

  beforeAll(() => {
    // Prepare
    stack = buildStack({}).stack;
    template = Template.fromStack(stack);
  });

  it('keys the inventory table on product_id (Number), on demand, with PITR, protected and retained', () => {
    // Assess
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        TableName: 'inventory-realtime',
        KeySchema: [{ AttributeName: 'product_id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'product_id', AttributeType: 'N' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('keys the ledger table on product_id (Number) and entry (String), expires entries, protected and retained', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        TableName: 'inventory-realtime-ledger',
        KeySchema: [
          { AttributeName: 'product_id', KeyType: 'HASH' },
          { AttributeName: 'entry', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'product_id', AttributeType: 'N' },
          { AttributeName: 'entry', AttributeType: 'S' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        GlobalSecondaryIndexes: Match.absent(),
        LocalSecondaryIndexes: Match.absent(),
      },
    });
  });

  it('names the ledger after the inventory table unless ledgerTableName says otherwise', () => {
    // Prepare
    const renamed = templateFor({ tableName: 'stock-eu' });
    const explicit = templateFor({ tableName: 'stock-eu', ledgerTableName: 'stock-eu-bookkeeping' });

    // Assess
    renamed.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'stock-eu' });
    renamed.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'stock-eu-ledger' });
    explicit.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'stock-eu-bookkeeping' });
    expect(
      explicit.findResources('AWS::DynamoDB::Table', { Properties: { TableName: 'stock-eu-ledger' } }),
    ).toEqual({});
  });

  it('locks the dead-letter bucket down, encrypts it, ages objects out and retains it', () => {
    // Assess
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              ExpirationInDays: 365,
              Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
            }),
          ],
        },
      },
    });
  });

  it('logs every access to the dead-letter bucket in a locked-down log bucket kept as long as the letters', () => {
    // Prepare
    const buckets = template.findResources('AWS::S3::Bucket');
    const [deadLetterId] = Object.keys(buckets).filter((id) => id.startsWith('DeadLettersBucket'));
    const [logId] = Object.keys(buckets).filter((id) => id.startsWith('DeadLettersAccessLogs'));

    // Assess
    expect(deadLetterId).toBeDefined();
    expect(logId).toBeDefined();
    expect(buckets[deadLetterId as string]?.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logId },
      LogFilePrefix: 'dead-letters/',
    });
    expect(buckets[logId as string]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 365 })] },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          // S3 log delivery through the bucket policy, for the dead-letter bucket of this account only.
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [deadLetterId, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });

  it('denies any request to the bucket that is not over TLS 1.2+', () => {
    // Assess
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      },
    });
  });

  it('runs the handler on Node.js 22, arm64, with the environment the code reads', () => {
    // Assess
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toEqual([FUNCTION_LOGICAL_ID, EXPIRY_FUNCTION_LOGICAL_ID]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1769,
      Timeout: 120,
      Environment: {
        Variables: {
          DYNAMODB_TABLE: { Ref: Match.stringLikeRegexp('^InventoryTable') },
          LEDGER_TABLE: { Ref: Match.stringLikeRegexp('^LedgerTable') },
          DLQ_S3_BUCKET: { Ref: Match.stringLikeRegexp('^DeadLettersBucket') },
          STOCK_MODEL: 'orders',
          SOURCE_EPOCH: '0',
          EPOCH_HEADER: 'cdc.epoch',
          LAG_BOUND_HOURS: '192',
          LOW_STOCK_THRESHOLD: '10',
          PRODUCTS_TOPIC: 'dbserver1.public.products',
          ORDER_ITEMS_TOPIC: 'dbserver1.public.order_items',
          PRICE_SCALE: '2',
          REGISTRY_VALUES: 'false',
          WRITE_CONCURRENCY: '16',
          TIME_BUDGET_MARGIN_MS: '10000',
          POWERTOOLS_SERVICE_NAME: 'inventory-service',
          POWERTOOLS_METRICS_NAMESPACE: 'InventoryService',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^ConsumerLogs') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('passes the stock model, source epoch and lag bound from context', () => {
    // Prepare
    const configured = templateFor({ stockModel: 'ledger', sourceEpoch: '3', lagBoundHours: '336' });

    // Assess
    configured.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ STOCK_MODEL: 'ledger', SOURCE_EPOCH: '3', LAG_BOUND_HOURS: '336' }),
      },
    });
  });

  it('gives the function exactly its log, table, ledger and dead-letter permissions', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^ConsumerRuntimeAccess'),
      PolicyDocument: {
        Statement: [
          {
            Sid: 'WriteOwnLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerLogs'), 'Arn'] },
          },
          {
            Sid: 'InventoryTable',
            Effect: 'Allow',
            Action: [...INVENTORY_TABLE_ACTIONS],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InventoryTable'), 'Arn'] },
          },
          {
            Sid: 'LedgerTable',
            Effect: 'Allow',
            Action: [...LEDGER_TABLE_ACTIONS],
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
    expect(INVENTORY_TABLE_ACTIONS).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
    ]);
    expect(LEDGER_TABLE_ACTIONS).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
    ]);
  });

  it('grants DynamoDB actions on the two table ARNs and the ledger stream only, and no index', () => {
    // Act
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const dynamo = statements.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('dynamodb:')),
    );

    // Assess: the batch function's two statements, then the expiry function's reads and its mapping's
    // stream access (ledger-expiry.test.ts).
    expect(dynamo.map((statement) => statement.Resource)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^InventoryTable/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^LedgerTable/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^InventoryTable/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^LedgerTable/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^LedgerTable/), 'StreamArn'] },
      '*',
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/\/index\//);
  });

  it('attaches no managed policies and grants no wildcard action', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    const actions = allPolicyActions(template);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('creates no Kafka event source mapping and warns which context to set', () => {
    // Assess: the one mapping is the ledger stream's (ledger-expiry.test.ts).
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: EXPIRY_FUNCTION_LOGICAL_ID },
      Topics: Match.absent(),
    });
    Annotations.fromStack(stack).hasWarning(
      '/InventoryService/Kafka',
      Match.stringLikeRegexp('mskClusterArn'),
    );
    expect(MISSING_SOURCE_WARNING).toMatch(/bootstrapServers/);
  });

  it('declares emulator endpoint placeholders only when localEndpoints is set', () => {
    // Prepare
    const local = templateFor({ localEndpoints: 'true' });

    // Assess
    local.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ AWS_ENDPOINT_URL_DYNAMODB: '', AWS_ENDPOINT_URL_S3: '' }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AWS_ENDPOINT_URL_DYNAMODB: Match.absent() }) },
    });
  });

  it('outputs the names an operator needs for teardown and the dashboard', () => {
    // Assess
    for (const name of [
      'TableName',
      'LedgerTableName',
      'DeadLetterBucketName',
      'FunctionName',
      'DashboardName',
    ]) {
      template.hasOutput(name, { Value: Match.anyValue() });
    }
  });

  it('sets reserved concurrency only when asked to', () => {
    // Prepare
    const reserved = templateFor({ reservedConcurrency: '5' });

    // Assess
    reserved.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 5 });
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: Match.absent() });
  });
});
