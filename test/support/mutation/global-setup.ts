import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../../scripts/local/dynamodb-local.js';

/**
 * One DynamoDB Local for the whole life of a vitest instance: under Stryker, one per worker, reused by every
 * mutant's run (see ./shared-dynamodb-local.ts). Stryker kills a timed-out worker's process tree, JVM included.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamoDb = await startDynamoDbLocal();
  project.provide('mutationDynamoDbEndpoint', dynamoDb.endpoint);
  return () => dynamoDb.stop();
}
