import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { Attr, EMPTY_MAP, numberValue } from './attributes.js';
import { isConditionalCheckFailed } from './item-reader.js';

/**
 * Items written by the seed service (or by hand) have no watermark maps, and a nested `SET m.#k` fails
 * while `m` is missing: this creates both maps if the item exists. Returns false when it does not.
 */
export const ensureWatermarkMaps = async (
  client: DynamoDBClient,
  tableName: string,
  productId: number,
): Promise<boolean> => {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { [Attr.PRODUCT_ID]: numberValue(productId) },
        UpdateExpression:
          'SET #applied = if_not_exists(#applied, :empty), #first = if_not_exists(#first, :empty)',
        ConditionExpression: 'attribute_exists(#id)',
        ExpressionAttributeNames: {
          '#id': Attr.PRODUCT_ID,
          '#applied': Attr.APPLIED_OFFSETS,
          '#first': Attr.FIRST_OFFSETS,
        },
        ExpressionAttributeValues: { ':empty': EMPTY_MAP },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
};
