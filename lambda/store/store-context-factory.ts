import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config.js';
import type { StoreContext } from './store-context.js';

/** The store's fixed context from the configuration and a client. */
export const storeContextFrom = (
  client: DynamoDBClient,
  config: Pick<Config, 'tableName' | 'ledgerTableName' | 'stockModel' | 'lagBoundHours'>,
  now: () => Date = () => new Date(),
): StoreContext => ({
  client,
  tableName: config.tableName,
  ledgerTableName: config.ledgerTableName,
  stockModel: config.stockModel,
  ledgerRetentionSeconds: config.lagBoundHours * 3600,
  now,
});
