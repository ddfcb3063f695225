import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { GLUE_REGISTRY_ACTIONS, GLUE_SCHEMA_ACTIONS } from '../../infra/constructs/kafka-event-sources.js';
import {
  allPolicyActions,
  KAFKA_SECRET_ARN,
  MSK_CONTEXT,
  SELF_MANAGED_CONTEXT,
  type StackContext,
  templateFor,
} from './stack-fixture.js';

const GLUE_REGISTRY_ARN = 'arn:aws:glue:us-east-1:123456789012:registry/cdc-registry';
const REGISTRY_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-basic-AbCdEf';
const ROOT_CA_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-root-ca-AbCdEf';
const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Both sources, with the property under which each keeps its consumer group and registry settings. */
const SOURCES = [
  ['Amazon MSK', MSK_CONTEXT, 'AmazonManagedKafkaEventSourceConfig'],
  ['self-managed Kafka', SELF_MANAGED_CONTEXT, 'SelfManagedKafkaEventSourceConfig'],
] as const;

/** The two Kafka mappings' properties (the ledger stream's mapping has no Topics). */
const kafkaMappings = (template: Template): Record<string, unknown>[] => {
  const mappings = Object.values(
    template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { Topics: Match.anyValue() } }),
  ).map((resource) => resource.Properties as Record<string, unknown>);
  expect(mappings).toHaveLength(2);
  return mappings;
};

const kafkaPolicyStatements = (template: Template): Record<string, unknown>[] => {
  const [policy] = Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('KafkaEventSourceAccess'))
    .map(([, resource]) => resource);
  return policy?.Properties.PolicyDocument.Statement ?? [];
};

describe.each(SOURCES)('Kafka mapping options on %s', (_source, sourceContext, sourceConfig) => {
  const templateWith = (context: StackContext) => templateFor({ ...sourceContext, ...context });

  it('turns on all three metric groups, WARN poller logs and one shared poller group by default', () => {
    // Act
    const mappings = kafkaMappings(templateWith({}));

    // Assess
    for (const mapping of mappings) {
      expect(mapping).toMatchObject({
        MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
        LoggingConfig: { SystemLogLevel: 'WARN' },
        ProvisionedPollerConfig: {
          MinimumPollers: 1,
          MaximumPollers: 2,
          PollerGroupName: 'InventoryService-kafka',
        },
        StartingPosition: 'TRIM_HORIZON',
      });
      expect(mapping.StartingPositionTimestamp).toBeUndefined();
    }
  });

  it('takes the poller log level and group name from context, and the stage into the default group', () => {
    // Act
    const custom = kafkaMappings(templateWith({ esmLogLevel: 'DEBUG', pollerGroupName: 'shared-cdc' }));
    const staged = kafkaMappings(templateWith({ stage: 'qa' }));

    // Assess
    for (const mapping of custom) {
      expect(mapping).toMatchObject({
        LoggingConfig: { SystemLogLevel: 'DEBUG' },
        ProvisionedPollerConfig: { PollerGroupName: 'shared-cdc' },
      });
    }
    for (const mapping of staged) {
      expect(mapping).toMatchObject({
        ProvisionedPollerConfig: { PollerGroupName: 'InventoryService-qa-kafka' },
      });
    }
  });

  it('keeps the metrics but no poller logs or group in on-demand mode', () => {
    // Act
    const mappings = kafkaMappings(templateWith({ pollerMode: 'on-demand' }));

    // Assess
    for (const mapping of mappings) {
      expect(mapping.MetricsConfig).toEqual({ Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] });
      expect(mapping.LoggingConfig).toBeUndefined();
      expect(mapping.ProvisionedPollerConfig).toBeUndefined();
    }
  });

  it.each<[StackContext, Record<string, unknown>]>([
    [{ startingPosition: 'LATEST' }, { StartingPosition: 'LATEST' }],
    [
      { startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '1735689600' },
      { StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: 1_735_689_600 },
    ],
  ])('starts both mappings where %o says', (context, expected) => {
    // Act
    const mappings = kafkaMappings(templateWith(context));

    // Assess
    for (const mapping of mappings) expect(mapping).toMatchObject(expected);
  });

  it('decodes values through a Glue registry to JSON, with an on-failure destination and Glue reads', () => {
    // Act
    const template = templateWith({ schemaRegistryUri: GLUE_REGISTRY_ARN });

    // Assess
    for (const mapping of kafkaMappings(template)) {
      expect(mapping[sourceConfig]).toMatchObject({
        SchemaRegistryConfig: {
          SchemaRegistryURI: GLUE_REGISTRY_ARN,
          EventRecordFormat: 'JSON',
          SchemaValidationConfigs: [{ Attribute: 'VALUE' }],
        },
      });
      expect(
        (mapping[sourceConfig] as { SchemaRegistryConfig: object }).SchemaRegistryConfig,
      ).not.toHaveProperty('AccessConfigs');
      expect(mapping.DestinationConfig).toMatchObject({
        OnFailure: { Destination: { 'Fn::GetAtt': expect.any(Array) } },
      });
    }
    // Replays and redrives rebuild records without Lambda's valueSchemaMetadata: the function is told instead.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REGISTRY_VALUES: 'true' }) },
    });
    expect(kafkaPolicyStatements(template)).toEqual(
      expect.arrayContaining([
        {
          Sid: 'GlueRegistry',
          Effect: 'Allow',
          Action: GLUE_REGISTRY_ACTIONS[0],
          Resource: GLUE_REGISTRY_ARN,
        },
        {
          Sid: 'GlueSchemaVersions',
          Effect: 'Allow',
          Action: GLUE_SCHEMA_ACTIONS[0],
          Resource: [GLUE_REGISTRY_ARN, 'arn:aws:glue:us-east-1:123456789012:schema/cdc-registry/*'],
        },
      ]),
    );
  });

  it('decodes keys too when asked, through a Confluent registry with basic-auth credentials', () => {
    // Act
    const template = templateWith({
      schemaRegistryUri: 'https://psrc-abc.eu-central-1.aws.confluent.cloud',
      schemaRegistrySecretArn: REGISTRY_SECRET_ARN,
      schemaRegistryKeys: 'true',
    });

    // Assess
    for (const mapping of kafkaMappings(template)) {
      expect(mapping[sourceConfig]).toMatchObject({
        SchemaRegistryConfig: {
          SchemaRegistryURI: 'https://psrc-abc.eu-central-1.aws.confluent.cloud',
          EventRecordFormat: 'JSON',
          AccessConfigs: [{ Type: 'BASIC_AUTH', URI: REGISTRY_SECRET_ARN }],
          SchemaValidationConfigs: [{ Attribute: 'VALUE' }, { Attribute: 'KEY' }],
        },
      });
    }
    const secrets = kafkaPolicyStatements(template).find((statement) => statement.Sid === 'KafkaCredentials');
    expect([secrets?.Resource].flat()).toContain(REGISTRY_SECRET_ARN);
    expect(allPolicyActions(template).filter((action) => action.startsWith('glue:'))).toEqual([]);
  });
});

describe('Kafka authentication on Amazon MSK', () => {
  it('uses IAM by default: kafka-cluster actions, no access configuration, no secret', () => {
    // Act
    const template = templateFor(MSK_CONTEXT);

    // Assess
    for (const mapping of kafkaMappings(template)) expect(mapping.SourceAccessConfigurations).toBeUndefined();
    const actions = allPolicyActions(template);
    expect(actions).toEqual(expect.arrayContaining(['kafka-cluster:Connect', 'kafka-cluster:ReadData']));
    expect(
      actions.filter((action) => action.startsWith('secretsmanager:') || action.startsWith('kms:')),
    ).toEqual([]);
  });

  it.each<[string, string]>([
    ['SASL_SCRAM_512', 'SASL_SCRAM_512_AUTH'],
    ['CLIENT_CERTIFICATE_TLS_AUTH', 'CLIENT_CERTIFICATE_TLS_AUTH'],
  ])('authenticates with %s from the secret, and drops the kafka-cluster actions', (method, type) => {
    // Act
    const template = templateFor({
      ...MSK_CONTEXT,
      kafkaAuthMethod: method,
      kafkaSecretArn: KAFKA_SECRET_ARN,
      kafkaSecretKmsKeyArn: KMS_KEY_ARN,
    });

    // Assess
    for (const mapping of kafkaMappings(template)) {
      expect(mapping.SourceAccessConfigurations).toEqual([{ Type: type, URI: KAFKA_SECRET_ARN }]);
    }
    const statements = kafkaPolicyStatements(template);
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Sid: 'KafkaCredentials',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: KAFKA_SECRET_ARN,
        },
        {
          Sid: 'KafkaCredentialsKey',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: KMS_KEY_ARN,
          Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
        },
        expect.objectContaining({ Sid: 'MskDiscoverBrokers' }),
      ]),
    );
    expect(allPolicyActions(template).filter((action) => action.startsWith('kafka-cluster:'))).toEqual([]);
  });
});

describe('Kafka authentication on self-managed Kafka', () => {
  it('decrypts the secrets with their customer managed key, through Secrets Manager only, when one is named', () => {
    // Act
    const template = templateFor({ ...SELF_MANAGED_CONTEXT, kafkaSecretKmsKeyArn: KMS_KEY_ARN });

    // Assess
    const key = kafkaPolicyStatements(template).find((statement) => statement.Sid === 'KafkaCredentialsKey');
    expect(key).toEqual({
      Sid: 'KafkaCredentialsKey',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: KMS_KEY_ARN,
      Condition: {
        StringEquals: {
          'kms:ViaService': {
            'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
          },
        },
      },
    });
  });

  it.each<[string, string]>([
    ['SASL_SCRAM_512', 'SASL_SCRAM_512_AUTH'],
    ['SASL_SCRAM_256', 'SASL_SCRAM_256_AUTH'],
    ['MTLS', 'CLIENT_CERTIFICATE_TLS_AUTH'],
    ['CLIENT_CERTIFICATE_TLS_AUTH', 'CLIENT_CERTIFICATE_TLS_AUTH'],
    ['BASIC_AUTH', 'BASIC_AUTH'],
  ])('authenticates with %s as %s, and trusts a private root CA from its own secret', (method, type) => {
    // Act
    const template = templateFor({
      bootstrapServers: 'broker.example.com:9096',
      kafkaSecretArn: KAFKA_SECRET_ARN,
      kafkaAuthMethod: method,
      kafkaRootCaSecretArn: ROOT_CA_SECRET_ARN,
    });

    // Assess
    for (const mapping of kafkaMappings(template)) {
      expect(mapping.SourceAccessConfigurations).toEqual([
        { Type: type, URI: KAFKA_SECRET_ARN },
        { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: ROOT_CA_SECRET_ARN },
      ]);
    }
    expect(kafkaPolicyStatements(template)).toEqual(
      expect.arrayContaining([
        {
          Sid: 'KafkaCredentials',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: [KAFKA_SECRET_ARN, ROOT_CA_SECRET_ARN],
        },
      ]),
    );
    // No key given: the secrets use the AWS managed key, which needs no grant.
    expect(
      allPolicyActions(template).filter((action) => action.startsWith('kms:') || action.startsWith('kafka')),
    ).toEqual([]);
  });
});
