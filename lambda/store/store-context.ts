import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StockModel } from '../inventory/stock-model.js';

/** Everything a store write needs, fixed once per execution environment. */
export interface StoreContext {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly ledgerTableName: string;
  readonly stockModel: StockModel;
  /** How long order-line entries are kept: the lag bound (config LAG_BOUND_HOURS). */
  readonly ledgerRetentionSeconds: number;
  readonly now: () => Date;
}
