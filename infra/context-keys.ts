/** The settings this app reads from CDK context, and the error that refuses one. */

/** The context keys this app understands; any other key (bar the CDK's own) is refused (unknown-context.ts). */
export const CONTEXT_KEYS = [
  'stage',
  'tableName',
  'ledgerTableName',
  'mskClusterArn',
  'bootstrapServers',
  'kafkaSecretArn',
  'kafkaAuthMethod',
  'kafkaSubnetIds',
  'kafkaSecurityGroupId',
  'productsTopic',
  'orderItemsTopic',
  'consumerGroupPrefix',
  'batchSize',
  'batchingWindowSeconds',
  'retryAttempts',
  'maxRecordAgeSeconds',
  'bisectBatchOnError',
  'pollerMode',
  'minimumPollers',
  'maximumPollers',
  'lowStockThreshold',
  'stockModel',
  'sourceEpoch',
  'epochHeader',
  'lagBoundHours',
  'logLevel',
  'memorySizeMb',
  'timeoutSeconds',
  'reservedConcurrency',
  'logRetentionDays',
  'dlqRetentionDays',
  'offsetLagThreshold',
  'alarmEmail',
  'lowStockEmail',
  'localEndpoints',
  // The Kafka mappings (kafka-config.ts).
  'kafkaRootCaSecretArn',
  'kafkaSecretKmsKeyArn',
  'esmLogLevel',
  'pollerGroupName',
  'startingPosition',
  'startingPositionTimestamp',
  'detachMappings',
  'schemaRegistryUri',
  'schemaRegistrySecretArn',
  'schemaRegistryKeys',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

/** Raised for context that cannot produce a deployable stack; the message names the key. */
export class StackConfigError extends Error {
  /** A ContextKey, or the unknown key that was refused. */
  public readonly key: string;

  constructor(key: ContextKey | (string & {}), message: string) {
    super(`context "${key}" ${message}`);
    this.name = 'StackConfigError';
    this.key = key;
  }
}
