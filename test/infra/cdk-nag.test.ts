import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  buildStack,
  MSK_CONTEXT,
  SELF_MANAGED_CONTEXT,
  type StackContext,
  throwawayOutdir,
} from './stack-fixture.js';

/** Synthesis throws a ValidationFailed report listing every unacknowledged finding. */
const synthWithAwsSolutions = (app: App): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
};

describe('cdk-nag AwsSolutionsChecks', () => {
  it.each<[string, StackContext]>([
    ['no Kafka source', {}],
    ['Amazon MSK with alarm email', { ...MSK_CONTEXT, alarmEmail: 'ops@example.com' }],
    ['self-managed Kafka in a VPC', SELF_MANAGED_CONTEXT],
    [
      'MSK with SCRAM, its key, a Glue registry, a stage and both topics',
      {
        ...MSK_CONTEXT,
        kafkaAuthMethod: 'SASL_SCRAM_512',
        kafkaSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-scram-AbCdEf',
        kafkaSecretKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        schemaRegistryUri: 'arn:aws:glue:us-east-1:123456789012:registry/cdc-registry',
        stage: 'dev',
        alarmEmail: 'ops@example.com',
        lowStockEmail: 'buyers@example.com',
      },
    ],
    [
      'self-managed SASL/PLAIN with a private CA and a Confluent registry',
      {
        ...SELF_MANAGED_CONTEXT,
        kafkaAuthMethod: 'BASIC_AUTH',
        kafkaRootCaSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:root-ca-AbCdEf',
        schemaRegistryUri: 'https://registry.example.com',
        schemaRegistrySecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf',
        startingPosition: 'LATEST',
      },
    ],
  ])('reports no unacknowledged finding for %s', (_case, context) => {
    // Prepare
    const { app } = buildStack(context);

    // Act
    const act = () => synthWithAwsSolutions(app);

    // Assess
    expect(act).not.toThrow();
  });

  it('does fail synthesis on a finding, so the checks above are live', () => {
    // Prepare
    const app = new App({ outdir: throwawayOutdir() });
    new Bucket(new Stack(app, 'Control'), 'Unhardened');

    // Act
    const act = () => synthWithAwsSolutions(app);

    // Assess
    expect(act).toThrow(/AwsSolutions-S10/);
  });

  it('gives every acknowledgement a reason', () => {
    // Prepare
    const { app } = buildStack({ ...MSK_CONTEXT, alarmEmail: 'ops@example.com' });

    // Act
    const acknowledged = app.node
      .findAll()
      .flatMap((node) => node.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([key, reason]) => ({ id: key.replace(/^Annotation::/, ''), reason }));

    // Assess
    expect(acknowledged.map((ack) => ack.id).sort()).toEqual([
      // MSK poller ENIs; dynamodb:ListStreams of the ledger stream mapping.
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::*]',
      // Dead letters of the batch function, the Kafka on-failure destination, and the expiry function.
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<DeadLettersBucket\w+\.Arn>\/\*\]$/),
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<DeadLettersBucket\w+\.Arn>\/\*\]$/),
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<DeadLettersBucket\w+\.Arn>\/\*\]$/),
      // The batch function and the expiry function.
      'AwsSolutions-L1',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      // The ledger stream mapping's on-failure queue is itself a dead-letter queue.
      'AwsSolutions-SQS3',
    ]);
    for (const ack of acknowledged) expect(ack.reason.length).toBeGreaterThan(20);
  });
});
