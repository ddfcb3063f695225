import type { EmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import { type FaultInjector, injectFaults } from './fault-injection.js';

/**
 * The real handler on a fresh table and bucket of the shared embedded services, with fault injectors (rate 0
 * until the delivery simulator arms them) on its own DynamoDB and S3 clients.
 */
export const startFaultyService = async (
  aws: EmbeddedAws,
  name: string,
  random: () => number,
  env: Readonly<Record<string, string>> = {},
): Promise<{ service: LocalService; injectors: FaultInjector[] }> => {
  const injectors: FaultInjector[] = [];
  const service = await startLocalService({
    aws,
    env: { DYNAMODB_TABLE: `${name}-table`, DLQ_S3_BUCKET: `${name}-dlq`, WRITE_CONCURRENCY: '4', ...env },
    configureClients: ({ dynamoDb, s3 }) => {
      injectors.push(injectFaults(dynamoDb, random), injectFaults(s3, random));
    },
  });
  return { service, injectors };
};
