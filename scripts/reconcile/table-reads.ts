import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import { Attr } from '../../lambda/store/attributes.js';
import { CliError, ExitCode } from '../cli/errors.js';
import { COMPARED_ATTRIBUTES, type TableItem } from './compare.js';

/** BatchGetItem takes at most 100 keys. */
export const BATCH_GET_LIMIT = 100;
/** UnprocessedKeys (throttling, 16 MB responses) are asked again this many times, with backoff. */
const MAX_ATTEMPTS = 10;
const BASE_DELAY_MS = 50;
const MAX_DELAY_MS = 5_000;

export type Sleep = (ms: number) => Promise<void>;
export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const projection = (attributes: readonly string[]) => ({
  ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name])),
});

export interface TableReader {
  /** The compared attributes of the items with these ids (any number of them), by id; absent ids are missing. */
  getItems(ids: readonly string[]): Promise<Map<string, TableItem>>;
  /** Every item's product_id (an N value, as DynamoDB prints it), page by page, in no particular order. */
  keyPages(pageSize: number): AsyncGenerator<string[]>;
}

/**
 * Reads only (BatchGetItem, Scan), strongly consistent, one call at a time. `pace` is awaited before each call
 * with the number of items it will read, to bound the rate (--rate).
 */
export const createTableReader = (
  client: DynamoDBClient,
  tableName: string,
  options: { readonly sleep?: Sleep; readonly pace?: (items: number) => Promise<void> } = {},
): TableReader => {
  const wait = options.sleep ?? sleep;
  const pace = options.pace ?? (async () => {});
  const getBatch = async (ids: readonly string[], into: Map<string, TableItem>) => {
    let keys: Array<Record<string, AttributeValue>> = ids.map((id) => ({ [Attr.PRODUCT_ID]: { N: id } }));
    for (let attempt = 1; keys.length > 0; attempt += 1) {
      if (attempt > MAX_ATTEMPTS) {
        throw new CliError(
          `DynamoDB left ${keys.length} key(s) of table ${tableName} unprocessed after ${MAX_ATTEMPTS} attempts ` +
            '(throttled: lower --rate or raise the read capacity)',
          ExitCode.FAILURE,
        );
      }
      if (attempt > 1) {
        const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 2));
        await wait(Math.random() * ceiling);
      }
      await pace(keys.length);
      const response = await client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [tableName]: { Keys: keys, ConsistentRead: true, ...projection(COMPARED_ATTRIBUTES) },
          },
        }),
      );
      for (const item of response.Responses?.[tableName] ?? []) {
        const id = item[Attr.PRODUCT_ID]?.N;
        if (id !== undefined) into.set(canonicalId(id), item);
      }
      keys = response.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  };
  return {
    async getItems(ids) {
      const items = new Map<string, TableItem>();
      for (let start = 0; start < ids.length; start += BATCH_GET_LIMIT) {
        await getBatch(ids.slice(start, start + BATCH_GET_LIMIT), items);
      }
      return items;
    },
    async *keyPages(pageSize) {
      const pages = paginateScan(
        { client, pageSize },
        { TableName: tableName, ConsistentRead: true, ...projection([Attr.PRODUCT_ID]) },
      );
      await pace(pageSize);
      for await (const page of pages) {
        const ids = (page.Items ?? []).flatMap((item) => {
          const id = item[Attr.PRODUCT_ID]?.N;
          return id === undefined ? [] : [canonicalId(id)];
        });
        yield ids;
        await pace(pageSize);
      }
    },
  };
};

/** DynamoDB prints numbers canonically already; this keeps ids comparable if an endpoint does not. */
export const canonicalId = (n: string): string => {
  const number = Number(n);
  return Number.isSafeInteger(number) ? String(number) : n;
};

/**
 * At most `perSecond` items read on average since the first call: each call waits until the items read so
 * far fit the rate. Without a rate it never waits.
 */
export const createPacer = (
  perSecond: number | undefined,
  options: { readonly now?: () => number; readonly sleep?: Sleep } = {},
): ((items: number) => Promise<void>) => {
  if (perSecond === undefined) return async () => {};
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  let start: number | undefined;
  let read = 0;
  return async (items) => {
    start ??= now();
    const due = start + (read / perSecond) * 1000;
    const delay = due - now();
    if (delay > 0) await wait(delay);
    read += items;
  };
};
