import { Annotations, type Duration, Stack, Validations } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  EventSourceMapping,
  EventSourceMappingLogLevel,
  type IFunction,
  MetricType,
  type SourceAccessConfiguration,
  SourceAccessConfigurationType,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type {
  EsmLogLevel,
  KafkaSource,
  MskAuthMethod,
  SchemaRegistry,
  SelfManagedAuthMethod,
  StartingPositionName,
} from '../kafka-config.js';
import type { PollerMode } from '../stack-config.js';
import { bucketObjectsWildcardFinding } from './nag-findings.js';
import { glueSchemaArns, UngrantedSchemaRegistry } from './registry-config.js';
import { UngrantedS3FailureDestination } from './s3-failure-destination.js';

/** Data-plane actions an MSK mapping with IAM auth needs (Lambda developer guide, "IAM role-based authentication"). */
export const MSK_CLUSTER_ACTIONS = [
  'kafka-cluster:Connect',
  'kafka-cluster:DescribeClusterDynamicConfiguration',
] as const;
export const MSK_TOPIC_ACTIONS = ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'] as const;
export const MSK_GROUP_ACTIONS = ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'] as const;
/** Control-plane actions the mapping uses to find the brokers of an MSK cluster. */
export const MSK_CONTROL_ACTIONS = ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'] as const;
/** Glue Schema Registry reads of a mapping that decodes through it (as aws-cdk-lib's GlueSchemaRegistry grants). */
export const GLUE_REGISTRY_ACTIONS = ['glue:GetRegistry'] as const;
export const GLUE_SCHEMA_ACTIONS = ['glue:GetSchemaVersion'] as const;
/** All three metric groups (Lambda API, EventSourceMappingMetricsConfig): counts, errors, offset lag. */
export const ESM_METRIC_GROUPS = [
  MetricType.EVENT_COUNT,
  MetricType.ERROR_COUNT,
  MetricType.KAFKA_METRICS,
] as const;
/** The poller places network interfaces in the cluster's (or the given) subnets. */
export const VPC_ACCESS_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeVpcs',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
] as const;

export const MISSING_SOURCE_WARNING =
  'No Kafka source configured: the function is deployed without event source mappings. ' +
  'Set -c mskClusterArn=arn:aws:kafka:... (Amazon MSK, IAM auth by default) or ' +
  '-c bootstrapServers=host:9092,... (self-managed Kafka; add -c kafkaSecretArn=... and/or ' +
  '-c kafkaSubnetIds=... -c kafkaSecurityGroupId=...); docs/deploy-context.md lists every setting.';

export const DETACHED_MAPPINGS_WARNING =
  'detachMappings=true: the Kafka mappings are deleted and nothing reads the topics until the next deploy ' +
  'without it. Their consumer groups keep their committed offsets in Kafka.';

export interface TopicSubscription {
  /** Short, stable name used in construct ids and the consumer group id (`products`, `order-items`). */
  readonly name: string;
  readonly topic: string;
}

export interface FailureHandling {
  readonly retryAttempts: number;
  readonly maxRecordAge?: Duration;
  readonly bisectBatchOnError: boolean;
  readonly pollerMode: PollerMode;
  readonly minimumPollers: number;
  readonly maximumPollers: number;
  /** Provisioned mode: the mappings share one poller group of this name. */
  readonly pollerGroupName?: string;
  /** Provisioned mode: the level of the pollers' system logs in the function's log group. */
  readonly esmLogLevel?: EsmLogLevel;
}

export interface StartingPoint {
  readonly position: StartingPositionName;
  /** Epoch seconds, with AT_TIMESTAMP only. */
  readonly timestamp?: number;
}

export interface KafkaEventSourcesProps {
  readonly source: KafkaSource;
  readonly function: IFunction;
  readonly subscriptions: readonly TopicSubscription[];
  /** Each mapping joins `<prefix>-<subscription name>`. */
  readonly consumerGroupPrefix: string;
  readonly batchSize: number;
  readonly maxBatchingWindow: Duration;
  readonly failureHandling: FailureHandling;
  /** Where a consumer group without committed offsets starts; Lambda ignores it once the group has some. */
  readonly startingPoint: StartingPoint;
  /**
   * Keep the access policy but create no mapping: the first deploy of a change to a mapping's starting point or
   * consumer group, which Lambda cannot apply in place (see KafkaConfig.detachMappings).
   */
  readonly detached?: boolean;
  /** Lambda decodes values (and keys) through it to JSON; provisioned mode only. */
  readonly schemaRegistry?: SchemaRegistry;
  /** Customer managed key of the named secrets; kms:Decrypt is granted on it, through Secrets Manager only. */
  readonly secretKmsKeyArn?: string;
  /**
   * Batches the mapping gives up on land here (Lambda writes them with its own key layout). Always set: with a
   * schema registry, records Lambda cannot decode are dropped unless an on-failure destination exists.
   */
  readonly failureBucket: IBucket;
}

/**
 * One event source mapping per topic, all invoking the same function, each in its own consumer group.
 *
 * The mappings use the function's role to reach Kafka and to write the on-failure destination. Those
 * permissions live in a separate `EventSourceAccess` policy so the function's own policy stays the
 * short list in README's Deploy section.
 */
export class KafkaEventSources extends Construct {
  public readonly mappings: ReadonlyMap<string, EventSourceMapping>;

  constructor(scope: Construct, id: string, props: KafkaEventSourcesProps) {
    super(scope, id);
    const { source } = props;
    if (source.kind === 'none') {
      Annotations.of(this).addWarningV2('inventory:missing-kafka-source', MISSING_SOURCE_WARNING);
      this.mappings = new Map();
      return;
    }

    const role = props.function.role;
    if (role === undefined) throw new Error('KafkaEventSources needs a function with an execution role');
    const access = new Policy(this, 'EventSourceAccess', {
      statements: [...failureDestinationStatements(props.failureBucket), ...sourceStatements(this, props)],
    });
    access.attachToRole(role);
    acknowledgeWildcards(access, props);
    if (props.detached === true) {
      Annotations.of(this).addWarningV2('inventory:detached-kafka-mappings', DETACHED_MAPPINGS_WARNING);
      this.mappings = new Map();
      return;
    }

    const mappings = new Map<string, EventSourceMapping>();
    for (const subscription of props.subscriptions) {
      const mapping = new EventSourceMapping(this, pascalCase(subscription.name), {
        target: props.function,
        kafkaTopic: subscription.topic,
        kafkaConsumerGroupId: `${props.consumerGroupPrefix}-${subscription.name}`,
        startingPosition: StartingPosition[props.startingPoint.position],
        ...(props.startingPoint.timestamp === undefined
          ? {}
          : { startingPositionTimestamp: props.startingPoint.timestamp }),
        batchSize: props.batchSize,
        maxBatchingWindow: props.maxBatchingWindow,
        onFailure: new UngrantedS3FailureDestination(props.failureBucket),
        metricsConfig: { metrics: [...ESM_METRIC_GROUPS] },
        ...failureHandlingOptions(props.failureHandling),
        ...(props.schemaRegistry === undefined
          ? {}
          : { schemaRegistryConfig: new UngrantedSchemaRegistry(props.schemaRegistry) }),
        ...(source.kind === 'msk'
          ? { eventSourceArn: source.clusterArn, sourceAccessConfigurations: mskAccess(source) }
          : {
              kafkaBootstrapServers: [...source.bootstrapServers],
              sourceAccessConfigurations: selfManagedAccess(source),
            }),
      });
      // Lambda checks the role when it first polls; the policy has to be there by then.
      mapping.node.addDependency(access);
      mappings.set(subscription.name, mapping);
    }
    this.mappings = mappings;
  }
}

/**
 * Retry count, record age, bisection, poller logs and poller groups are honoured by Kafka mappings in
 * provisioned mode only, so in on-demand mode they are left out; the on-failure destination alone then caps
 * retries (Lambda applies at most 10 when a destination is set and retries are infinite).
 */
const failureHandlingOptions = (handling: FailureHandling) =>
  handling.pollerMode === 'on-demand'
    ? {}
    : {
        provisionedPollerConfig: {
          minimumPollers: handling.minimumPollers,
          maximumPollers: handling.maximumPollers,
          ...(handling.pollerGroupName === undefined ? {} : { pollerGroupName: handling.pollerGroupName }),
        },
        ...(handling.esmLogLevel === undefined
          ? {}
          : { logLevel: EventSourceMappingLogLevel[handling.esmLogLevel] }),
        retryAttempts: handling.retryAttempts,
        bisectBatchOnError: handling.bisectBatchOnError,
        ...(handling.maxRecordAge === undefined ? {} : { maxRecordAge: handling.maxRecordAge }),
      };

const failureDestinationStatements = (bucket: IBucket): PolicyStatement[] => [
  new PolicyStatement({
    sid: 'OnFailureDestinationWrite',
    actions: ['s3:PutObject'],
    resources: [bucket.arnForObjects('*')],
  }),
  new PolicyStatement({
    sid: 'OnFailureDestinationList',
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
  }),
];

const sourceStatements = (scope: Construct, props: KafkaEventSourcesProps): PolicyStatement[] => [
  ...secretStatements(scope, props),
  ...brokerStatements(props),
  ...registryStatements(props.schemaRegistry),
];

const brokerStatements = (props: KafkaEventSourcesProps): PolicyStatement[] => {
  const { source } = props;
  if (source.kind === 'msk') {
    const arns = mskResourceArns(
      source.clusterArn,
      props.subscriptions.map((s) => s.topic),
      props.subscriptions.map((s) => `${props.consumerGroupPrefix}-${s.name}`),
    );
    return [
      new PolicyStatement({
        sid: 'MskDiscoverBrokers',
        actions: [...MSK_CONTROL_ACTIONS],
        resources: [source.clusterArn],
      }),
      // The kafka-cluster data plane authorizes IAM auth only; SCRAM and mTLS authenticate with the secret.
      ...(source.authMethod === 'IAM'
        ? [
            new PolicyStatement({
              sid: 'MskConnect',
              actions: [...MSK_CLUSTER_ACTIONS],
              resources: [source.clusterArn],
            }),
            new PolicyStatement({
              sid: 'MskReadTopics',
              actions: [...MSK_TOPIC_ACTIONS],
              resources: arns.topics,
            }),
            new PolicyStatement({
              sid: 'MskConsumerGroups',
              actions: [...MSK_GROUP_ACTIONS],
              resources: arns.groups,
            }),
          ]
        : []),
      vpcAccessStatement(),
    ];
  }
  if (source.kind === 'self-managed' && source.subnetIds.length > 0) return [vpcAccessStatement()];
  return [];
};

/** Every secret a poller reads: broker credentials, a private root CA, registry credentials. */
export const namedSecrets = (props: Pick<KafkaEventSourcesProps, 'source' | 'schemaRegistry'>): string[] => {
  const { source, schemaRegistry } = props;
  return [
    ...(source.kind !== 'none' && source.secretArn !== undefined ? [source.secretArn] : []),
    ...(source.kind === 'self-managed' && source.rootCaSecretArn !== undefined
      ? [source.rootCaSecretArn]
      : []),
    ...(schemaRegistry?.kind === 'confluent' && schemaRegistry.secretArn !== undefined
      ? [schemaRegistry.secretArn]
      : []),
  ];
};

const secretStatements = (scope: Construct, props: KafkaEventSourcesProps): PolicyStatement[] => {
  const secrets = namedSecrets(props);
  if (secrets.length === 0) return [];
  return [
    new PolicyStatement({
      sid: 'KafkaCredentials',
      actions: ['secretsmanager:GetSecretValue'],
      resources: secrets,
    }),
    ...(props.secretKmsKeyArn === undefined
      ? []
      : [
          new PolicyStatement({
            sid: 'KafkaCredentialsKey',
            actions: ['kms:Decrypt'],
            resources: [props.secretKmsKeyArn],
            // Only to read those secrets: the key may encrypt other things this role has no business with.
            conditions: {
              StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` },
            },
          }),
        ]),
  ];
};

const registryStatements = (registry: SchemaRegistry | undefined): PolicyStatement[] =>
  registry?.kind === 'glue'
    ? [
        new PolicyStatement({
          sid: 'GlueRegistry',
          actions: [...GLUE_REGISTRY_ACTIONS],
          resources: [registry.registryArn],
        }),
        new PolicyStatement({
          sid: 'GlueSchemaVersions',
          actions: [...GLUE_SCHEMA_ACTIONS],
          resources: [registry.registryArn, glueSchemaArns(registry.registryArn)],
        }),
      ]
    : [];

const vpcAccessStatement = (): PolicyStatement =>
  new PolicyStatement({ sid: 'PollerNetworkInterfaces', actions: [...VPC_ACCESS_ACTIONS], resources: ['*'] });

/** Topic and group ARNs share the cluster's name and uuid: arn:...:topic/<name>/<uuid>/<topic>. */
export const mskResourceArns = (
  clusterArn: string,
  topics: readonly string[],
  groups: readonly string[],
): { topics: string[]; groups: string[] } => {
  const [prefix, rest] = clusterArn.split(':cluster/');
  if (prefix === undefined || rest === undefined) throw new Error(`not an MSK cluster ARN: ${clusterArn}`);
  return {
    topics: topics.map((topic) => `${prefix}:topic/${rest}/${topic}`),
    groups: groups.map((group) => `${prefix}:group/${rest}/${group}`),
  };
};

const AUTH_TYPES: Record<SelfManagedAuthMethod | MskAuthMethod, SourceAccessConfigurationType | undefined> = {
  IAM: undefined,
  SASL_SCRAM_512: SourceAccessConfigurationType.SASL_SCRAM_512_AUTH,
  SASL_SCRAM_256: SourceAccessConfigurationType.SASL_SCRAM_256_AUTH,
  MTLS: SourceAccessConfigurationType.CLIENT_CERTIFICATE_TLS_AUTH,
  CLIENT_CERTIFICATE_TLS_AUTH: SourceAccessConfigurationType.CLIENT_CERTIFICATE_TLS_AUTH,
  BASIC_AUTH: SourceAccessConfigurationType.BASIC_AUTH,
};

const credentialsAccess = (
  authMethod: SelfManagedAuthMethod | MskAuthMethod,
  secretArn: string | undefined,
) => {
  const type = AUTH_TYPES[authMethod];
  return type === undefined || secretArn === undefined ? [] : [{ type, uri: secretArn }];
};

/** MSK with IAM needs no access configuration; SCRAM and mTLS name their secret. */
const mskAccess = (
  source: Extract<KafkaSource, { kind: 'msk' }>,
): SourceAccessConfiguration[] | undefined => {
  const access = credentialsAccess(source.authMethod, source.secretArn);
  return access.length === 0 ? undefined : access;
};

/** URIs follow the Lambda API's documented forms `subnet:<id>` and `security_group:<id>`. */
const selfManagedAccess = (
  source: Extract<KafkaSource, { kind: 'self-managed' }>,
): SourceAccessConfiguration[] => [
  ...credentialsAccess(source.authMethod, source.secretArn),
  ...(source.rootCaSecretArn === undefined
    ? []
    : [{ type: SourceAccessConfigurationType.SERVER_ROOT_CA_CERTIFICATE, uri: source.rootCaSecretArn }]),
  ...source.subnetIds.map((id) => ({ type: SourceAccessConfigurationType.VPC_SUBNET, uri: `subnet:${id}` })),
  ...(source.securityGroupId === undefined
    ? []
    : [
        {
          type: SourceAccessConfigurationType.VPC_SECURITY_GROUP,
          uri: `security_group:${source.securityGroupId}`,
        },
      ]),
];

const acknowledgeWildcards = (access: Policy, props: KafkaEventSourcesProps): void => {
  Validations.of(access).acknowledge({
    id: bucketObjectsWildcardFinding(props.failureBucket),
    reason:
      'Lambda names on-failure objects itself (per mapping, partition and time); the bucket is dedicated.',
  });
  if (props.schemaRegistry?.kind === 'glue') {
    Validations.of(access).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${glueSchemaArns(props.schemaRegistry.registryArn)}]`,
      reason:
        'Lambda reads whichever schema version a record names; every schema of this one registry, nothing else.',
    });
  }
  const usesVpc =
    props.source.kind === 'msk' ||
    (props.source.kind === 'self-managed' && props.source.subnetIds.length > 0);
  if (usesVpc) {
    Validations.of(access).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:Describe* cannot be scoped, and the poller creates its ENIs in subnets only known at run time.',
    });
  }
};

const pascalCase = (name: string): string =>
  name
    .split(/[^a-zA-Z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
