/**
 * The names a deployment takes from `-c stage=<name>`. Several stages live in one account and region only if
 * every name CloudFormation does not generate carries the stage; names it generates (functions, alarms, SNS
 * topics, log groups, the bucket) start with the stack name, which carries it too.
 * Without a stage every name is what it was before stages existed.
 */

/** Lowercase letters, digits and inner hyphens, at most 12: short enough for every name below. */
export const STAGE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/;

export const BASE_NAMES = {
  stackName: 'InventoryService',
  tableName: 'inventory-realtime',
  consumerGroupPrefix: 'inventory-service-group',
  /** POWERTOOLS_SERVICE_NAME: the `service` dimension of every handler metric and the service of every log line. */
  serviceName: 'inventory-service',
} as const;

export interface StageNames {
  readonly stackName: string;
  readonly tableName: string;
  readonly consumerGroupPrefix: string;
  /** Both Kafka mappings share it in provisioned mode; unique per stack, so per stage. */
  readonly pollerGroupName: string;
  /**
   * The handlers' `service` metric dimension: stages share the InventoryService namespace, so this is what
   * keeps one stage's alarms off another stage's metrics.
   */
  readonly serviceName: string;
}

export const stageNames = (stage: string | undefined): StageNames => {
  const suffix = stage === undefined ? '' : `-${stage}`;
  const stackName = `${BASE_NAMES.stackName}${suffix}`;
  return {
    stackName,
    tableName: `${BASE_NAMES.tableName}${suffix}`,
    consumerGroupPrefix: `${BASE_NAMES.consumerGroupPrefix}${suffix}`,
    pollerGroupName: `${stackName}-kafka`,
    serviceName: `${BASE_NAMES.serviceName}${suffix}`,
  };
};
