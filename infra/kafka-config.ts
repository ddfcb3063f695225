/**
 * The context of the two Kafka mappings: where the brokers are, how the pollers authenticate, where they
 * start, how they decode (schema registry), log and scale. Pure: reads context, returns typed settings.
 */
import { StackConfigError } from './context-keys.js';
import {
  flag,
  integer,
  list,
  MSK_CLUSTER_ARN,
  oneOf,
  type ReadContext,
  secretArn,
  text,
} from './context-readers.js';

/** MSK: IAM (the default), SASL/SCRAM-512 or mTLS with a secret (Lambda developer guide, "MSK authentication"). */
export const MSK_AUTH_METHODS = ['IAM', 'SASL_SCRAM_512', 'CLIENT_CERTIFICATE_TLS_AUTH'] as const;
export type MskAuthMethod = (typeof MSK_AUTH_METHODS)[number];

/** Self-managed: SCRAM, mTLS (`MTLS` is the older spelling) or SASL/PLAIN (`BASIC_AUTH`, as Confluent Cloud uses). */
export const SELF_MANAGED_AUTH_METHODS = [
  'SASL_SCRAM_512',
  'SASL_SCRAM_256',
  'MTLS',
  'CLIENT_CERTIFICATE_TLS_AUTH',
  'BASIC_AUTH',
] as const;
export type SelfManagedAuthMethod = (typeof SELF_MANAGED_AUTH_METHODS)[number];

/** How the stack reaches Kafka. `none` still deploys table, bucket, function and dashboard. */
export type KafkaSource =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'msk';
      readonly clusterArn: string;
      readonly authMethod: MskAuthMethod;
      /** SCRAM credentials or the client certificate; absent with IAM. */
      readonly secretArn?: string;
    }
  | {
      readonly kind: 'self-managed';
      readonly bootstrapServers: readonly string[];
      /** Secrets Manager ARN holding SASL credentials or the mTLS client certificate. */
      readonly secretArn?: string;
      readonly authMethod: SelfManagedAuthMethod;
      /** The root CA of brokers whose certificates a public CA did not sign. */
      readonly rootCaSecretArn?: string;
      /** Subnets and security group the event poller uses to reach brokers inside a VPC. */
      readonly subnetIds: readonly string[];
      readonly securityGroupId?: string;
    };

export const STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const;
export type StartingPositionName = (typeof STARTING_POSITIONS)[number];

/** LoggingConfig.SystemLogLevel's values (Lambda API, EventSourceMappingLoggingConfig). */
export const ESM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'] as const;
export type EsmLogLevel = (typeof ESM_LOG_LEVELS)[number];

export type SchemaRegistry =
  | { readonly kind: 'glue'; readonly registryArn: string; readonly validateKeys: boolean }
  | {
      readonly kind: 'confluent';
      readonly url: string;
      /** Basic-auth credentials (API key and secret) of the registry; absent for an open registry. */
      readonly secretArn?: string;
      readonly validateKeys: boolean;
    };

export interface KafkaConfig {
  readonly kafka: KafkaSource;
  /** The customer managed key the named secrets are encrypted with; kms:Decrypt is granted on it alone. */
  readonly secretKmsKeyArn?: string;
  readonly startingPosition: StartingPositionName;
  /** Epoch seconds; set exactly when startingPosition is AT_TIMESTAMP. */
  readonly startingPositionTimestamp?: number;
  /**
   * Deploy the source's settings without its two mappings: the first of the two deploys that change where the
   * mappings start or which consumer groups they join (docs/deploy-context.md, "Changing where the mappings
   * start"). CloudFormation would otherwise create the new mapping before deleting the old one, and Lambda
   * refuses a second mapping of the same function, source and topic.
   */
  readonly detachMappings: boolean;
  readonly schemaRegistry?: SchemaRegistry;
}

/** Settings that exist in provisioned mode only (poller logs, shared pollers). */
export interface ProvisionedOnly {
  readonly esmLogLevel?: EsmLogLevel;
  readonly pollerGroupName?: string;
}

export const KAFKA_DEFAULTS = {
  startingPosition: 'TRIM_HORIZON',
  esmLogLevel: 'WARN',
} as const satisfies Partial<KafkaConfig & ProvisionedOnly>;

const GLUE_REGISTRY_ARN = /^arn:aws[a-z-]*:glue:[a-z0-9-]+:\d{12}:registry\/[A-Za-z0-9_$#.-]{1,255}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
/** Letters, digits, hyphen and underscore: a conservative subset for a name Lambda keeps per VPC. */
const POLLER_GROUP_NAME = /^[A-Za-z0-9_-]{1,128}$/;
/** AWS's own bound: all mappings of a poller group together scale to at most 2,000 pollers. */
export const POLLER_GROUP_MAX_POLLERS = 2000;

const mskSource = (read: ReadContext, clusterArn: string): KafkaSource => {
  if (!MSK_CLUSTER_ARN.test(clusterArn)) {
    throw new StackConfigError(
      'mskClusterArn',
      `must look like arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>, got "${clusterArn}"`,
    );
  }
  if (text(read, 'kafkaRootCaSecretArn') !== undefined) {
    throw new StackConfigError(
      'kafkaRootCaSecretArn',
      'is for self-managed brokers only (MSK brokers use certificates Lambda already trusts); remove it',
    );
  }
  const authMethod = oneOf(read, 'kafkaAuthMethod', MSK_AUTH_METHODS) ?? 'IAM';
  const secret = secretArn(read, 'kafkaSecretArn');
  if (authMethod === 'IAM') {
    if (secret !== undefined) {
      throw new StackConfigError(
        'kafkaSecretArn',
        'is not used with MSK IAM auth; remove it or set kafkaAuthMethod=SASL_SCRAM_512 or CLIENT_CERTIFICATE_TLS_AUTH',
      );
    }
    return { kind: 'msk', clusterArn, authMethod };
  }
  if (secret === undefined) {
    throw new StackConfigError('kafkaSecretArn', `is required with kafkaAuthMethod=${authMethod} on MSK`);
  }
  return { kind: 'msk', clusterArn, authMethod, secretArn: secret };
};

const selfManagedSource = (read: ReadContext, bootstrapServers: string[]): KafkaSource => {
  const secret = secretArn(read, 'kafkaSecretArn');
  const rootCaSecretArn = secretArn(read, 'kafkaRootCaSecretArn');
  const subnetIds = list(read, 'kafkaSubnetIds');
  const securityGroupId = text(read, 'kafkaSecurityGroupId');
  if (subnetIds.length > 0 !== (securityGroupId !== undefined)) {
    throw new StackConfigError('kafkaSubnetIds', 'and kafkaSecurityGroupId must be set together');
  }
  if (secret === undefined && subnetIds.length === 0) {
    // Lambda would reach the brokers over the internet with no authentication at all.
    throw new StackConfigError(
      'kafkaSecretArn',
      'is required when brokers are reached over the internet (no kafkaSubnetIds given)',
    );
  }
  const authMethod = oneOf(read, 'kafkaAuthMethod', SELF_MANAGED_AUTH_METHODS);
  if (authMethod !== undefined && secret === undefined) {
    throw new StackConfigError('kafkaSecretArn', `is required with kafkaAuthMethod=${authMethod}`);
  }
  return {
    kind: 'self-managed',
    bootstrapServers,
    ...(secret === undefined ? {} : { secretArn: secret }),
    authMethod: authMethod ?? 'SASL_SCRAM_512',
    ...(rootCaSecretArn === undefined ? {} : { rootCaSecretArn }),
    subnetIds,
    ...(securityGroupId === undefined ? {} : { securityGroupId }),
  };
};

export const readKafkaSource = (read: ReadContext): KafkaSource => {
  const clusterArn = text(read, 'mskClusterArn');
  const bootstrapServers = list(read, 'bootstrapServers');
  if (clusterArn !== undefined && bootstrapServers.length > 0) {
    throw new StackConfigError(
      'bootstrapServers',
      'cannot be combined with mskClusterArn; choose one source',
    );
  }
  if (clusterArn !== undefined) return mskSource(read, clusterArn);
  if (bootstrapServers.length > 0) return selfManagedSource(read, bootstrapServers);
  for (const key of ['kafkaAuthMethod', 'kafkaSecretArn', 'kafkaRootCaSecretArn'] as const) {
    if (text(read, key) !== undefined) {
      throw new StackConfigError(key, 'needs a Kafka source: set mskClusterArn or bootstrapServers');
    }
  }
  return { kind: 'none' };
};

const readSchemaRegistry = (read: ReadContext): SchemaRegistry | undefined => {
  const uri = text(read, 'schemaRegistryUri');
  const secret = secretArn(read, 'schemaRegistrySecretArn');
  const keysFlag = text(read, 'schemaRegistryKeys')?.toLowerCase();
  if (keysFlag !== undefined && keysFlag !== 'true' && keysFlag !== 'false') {
    throw new StackConfigError('schemaRegistryKeys', `must be true or false, got "${keysFlag}"`);
  }
  if (uri === undefined) {
    for (const [key, value] of [
      ['schemaRegistrySecretArn', secret],
      ['schemaRegistryKeys', keysFlag],
    ] as const) {
      if (value !== undefined)
        throw new StackConfigError(key, 'needs schemaRegistryUri; set it or remove this');
    }
    return undefined;
  }
  const validateKeys = keysFlag === 'true';
  if (GLUE_REGISTRY_ARN.test(uri)) {
    if (secret !== undefined) {
      throw new StackConfigError(
        'schemaRegistrySecretArn',
        'is for a Confluent registry; a Glue registry is reached with the function role (remove it)',
      );
    }
    return { kind: 'glue', registryArn: uri, validateKeys };
  }
  if (/^https:\/\/[^\s/]+(\/\S*)?$/.test(uri)) {
    return {
      kind: 'confluent',
      url: uri,
      ...(secret === undefined ? {} : { secretArn: secret }),
      validateKeys,
    };
  }
  throw new StackConfigError(
    'schemaRegistryUri',
    `must be a Glue registry ARN (arn:aws:glue:<region>:<account>:registry/<name>) or a Confluent https:// URL, got "${uri}"`,
  );
};

const readStartingPosition = (
  read: ReadContext,
): Pick<KafkaConfig, 'startingPosition' | 'startingPositionTimestamp'> => {
  const startingPosition =
    oneOf(read, 'startingPosition', STARTING_POSITIONS) ?? KAFKA_DEFAULTS.startingPosition;
  // From 2001-09-09 (10^9 s) on; a value in milliseconds (13 digits) is refused rather than read as year 50,000.
  const timestamp = integer(read, 'startingPositionTimestamp', 1_000_000_000, 9_999_999_999);
  if (startingPosition === 'AT_TIMESTAMP' && timestamp === undefined) {
    throw new StackConfigError(
      'startingPositionTimestamp',
      'is required with startingPosition=AT_TIMESTAMP (epoch seconds, e.g. $(date -d "2025-01-01T00:00Z" +%s))',
    );
  }
  if (startingPosition !== 'AT_TIMESTAMP' && timestamp !== undefined) {
    throw new StackConfigError(
      'startingPositionTimestamp',
      `is only read with startingPosition=AT_TIMESTAMP (got ${startingPosition}); set that or remove this`,
    );
  }
  return { startingPosition, ...(timestamp === undefined ? {} : { startingPositionTimestamp: timestamp }) };
};

export const readKafkaConfig = (read: ReadContext): KafkaConfig => {
  const kafka = readKafkaSource(read);
  const secretKmsKeyArn = text(read, 'kafkaSecretKmsKeyArn');
  if (secretKmsKeyArn !== undefined && !KMS_KEY_ARN.test(secretKmsKeyArn)) {
    throw new StackConfigError(
      'kafkaSecretKmsKeyArn',
      `must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), got "${secretKmsKeyArn}"`,
    );
  }
  const detachMappings = flag(read, 'detachMappings') ?? false;
  if (detachMappings && kafka.kind === 'none') {
    throw new StackConfigError(
      'detachMappings',
      'needs a Kafka source: give the same mskClusterArn or bootstrapServers as the deployed stack',
    );
  }
  const schemaRegistry = readSchemaRegistry(read);
  if (schemaRegistry !== undefined && kafka.kind === 'none') {
    throw new StackConfigError(
      'schemaRegistryUri',
      'needs a Kafka source: set mskClusterArn or bootstrapServers',
    );
  }
  if (kafka.kind === 'msk' && kafka.authMethod === 'SASL_SCRAM_512' && secretKmsKeyArn === undefined) {
    // MSK refuses SCRAM secrets encrypted with the AWS managed key, so Lambda always needs kms:Decrypt here.
    throw new StackConfigError(
      'kafkaSecretKmsKeyArn',
      'is required with MSK SASL_SCRAM_512 (MSK SCRAM secrets use a customer managed key; give its ARN)',
    );
  }
  return {
    kafka,
    ...(secretKmsKeyArn === undefined ? {} : { secretKmsKeyArn }),
    ...readStartingPosition(read),
    detachMappings,
    ...(schemaRegistry === undefined ? {} : { schemaRegistry }),
  };
};

/**
 * Poller system logs and shared pollers exist in provisioned mode only (Lambda developer guide, "Kafka event
 * source mapping logging"; ProvisionedPollerConfig.PollerGroupName), as does a schema registry: in on-demand
 * mode asking for one of them is refused rather than dropped.
 */
export const readProvisionedOnly = (
  read: ReadContext,
  mode: { readonly provisioned: boolean; readonly maximumPollers: number; readonly mappings: number },
  defaultPollerGroupName: string,
  schemaRegistry: SchemaRegistry | undefined,
): ProvisionedOnly => {
  const esmLogLevel = oneOf(read, 'esmLogLevel', ESM_LOG_LEVELS);
  const pollerGroupName = text(read, 'pollerGroupName');
  if (!mode.provisioned) {
    for (const [key, value] of [
      ['esmLogLevel', esmLogLevel],
      ['pollerGroupName', pollerGroupName],
    ] as const) {
      if (value !== undefined) {
        throw new StackConfigError(
          key,
          'works in provisioned mode only; set pollerMode=provisioned or remove it',
        );
      }
    }
    if (schemaRegistry !== undefined) {
      throw new StackConfigError(
        'schemaRegistryUri',
        'works in provisioned mode only (Lambda decodes through a registry there alone); set pollerMode=provisioned',
      );
    }
    return {};
  }
  const group = pollerGroupName ?? defaultPollerGroupName;
  if (!POLLER_GROUP_NAME.test(group)) {
    throw new StackConfigError('pollerGroupName', `must be 1..128 of A-Z, a-z, 0-9, _ and -, got "${group}"`);
  }
  if (mode.maximumPollers * mode.mappings > POLLER_GROUP_MAX_POLLERS) {
    throw new StackConfigError(
      'maximumPollers',
      `(${mode.maximumPollers}) times ${mode.mappings} mappings exceeds the ${POLLER_GROUP_MAX_POLLERS} pollers a poller group may hold; lower it to ${Math.floor(POLLER_GROUP_MAX_POLLERS / mode.mappings)}`,
    );
  }
  return { esmLogLevel: esmLogLevel ?? KAFKA_DEFAULTS.esmLogLevel, pollerGroupName: group };
};
