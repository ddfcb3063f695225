import {
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  paginateScan,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { Attr } from '../../lambda/store/attributes.js';
import { isConditionalCheckFailed } from '../../lambda/store/item-reader.js';
import { CliError, ExitCode } from '../cli/errors.js';
import { SCANNED_ATTRIBUTES, type ScannedItem } from './stamp.js';

/** How a conditional stamp ended. */
export const StampOutcome = {
  STAMPED: 'stamped',
  /** Someone wrote cdc_position between the Scan and the write (the function, or another run). */
  ALREADY_STAMPED: 'already_stamped',
  /** The item was deleted between the Scan and the write. */
  GONE: 'gone',
} as const;
export type StampOutcome = (typeof StampOutcome)[keyof typeof StampOutcome];

export interface InventoryTable {
  /** Item count DynamoDB last reported (updated about every six hours), for progress; undefined if unknown. */
  estimateItems(): Promise<number | undefined>;
  /** Every item's key and cdc_position, page by page, strongly consistent, in no particular order. */
  pages(pageSize: number): AsyncGenerator<ScannedItem[]>;
  stamp(update: UpdateItemCommandInput): Promise<StampOutcome>;
}

const projection = {
  ProjectionExpression: SCANNED_ATTRIBUTES.map((_, index) => `#a${index}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(SCANNED_ATTRIBUTES.map((name, index) => [`#a${index}`, name])),
};

const isMissingTable = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ResourceNotFoundException';

export const createInventoryTable = (client: DynamoDBClient, tableName: string): InventoryTable => {
  const missing = (cause: unknown) =>
    new CliError(
      `table ${tableName} does not exist here (check --table, --endpoint and AWS_REGION)`,
      ExitCode.FAILURE,
      { cause },
    );
  return {
    async estimateItems() {
      try {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        return Table?.ItemCount;
      } catch (error) {
        if (isMissingTable(error)) throw missing(error);
        throw error;
      }
    },
    async *pages(pageSize) {
      const pages = paginateScan(
        { client, pageSize },
        { TableName: tableName, ConsistentRead: true, ...projection },
      );
      for await (const page of pages) yield page.Items ?? [];
    },
    async stamp(update) {
      try {
        await client.send(new UpdateItemCommand(update));
        return StampOutcome.STAMPED;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      // Which half of the condition failed: read the item again (ReturnValuesOnConditionCheckFailure is not
      // honoured by every local endpoint).
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: update.Key,
          ConsistentRead: true,
          ProjectionExpression: '#id, #cdc',
          ExpressionAttributeNames: { '#id': Attr.PRODUCT_ID, '#cdc': Attr.CDC_POSITION },
        }),
      );
      return Item === undefined ? StampOutcome.GONE : StampOutcome.ALREADY_STAMPED;
    },
  };
};
