import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { DEFAULTS } from '../../lambda/config.js';
import { Endpoint, parseEndpoint, withAwsConnection } from '../cli/aws-connection.js';
import { UsageError } from '../cli/errors.js';
import { parseCommandLine } from '../cli/parse-command-line.js';
import type { CliIo } from '../cli/run-cli.js';
import { formatTable } from '../cli/table.js';
import type { ToolDefinition } from '../cli/tool.js';
import { type InventoryItem, plainItem } from '../local/local-service.js';

export const HELP = `Usage: npm run inventory -- [options]

Prints the inventory table as an aligned table (product_id, name, price, stock, last_updated), sorted by
product_id.

Options:
  --low-stock              only products whose stock is under the threshold, lowest stock first
  --threshold <n>          low-stock threshold (default LOW_STOCK_THRESHOLD, else ${DEFAULTS.lowStockThreshold})
  --table <name>           table (default DYNAMODB_TABLE, else ${DEFAULTS.tableName})
  --endpoint local|aws|embedded
                           aws (default): standard credential chain; local: AWS_ENDPOINT_URL_DYNAMODB /
                           AWS_ENDPOINT_URL_S3 if set, else the running \`npm run local\` (exit 1 without one);
                           a missing table or bucket is exit 1, nothing is created; embedded: an empty
                           DynamoDB Local + s3rver for this run only
  --json                   one JSON document on stdout: {table, where, threshold, lowStockOnly, count, items}
  -h, --help               show this help
  The stock model plays no part: the table is printed as it is.

Example: npm run inventory -- --endpoint local --low-stock
`;

export const INVENTORY_TOOL: ToolDefinition = { name: 'inventory', command: 'npm run inventory', help: HELP };

export interface InventoryOptions {
  readonly lowStock: boolean;
  readonly threshold: number | undefined;
  readonly tableName: string | undefined;
  readonly endpoint: Endpoint;
  readonly json: boolean;
}

export const parseInventoryArgs = (argv: readonly string[]): InventoryOptions => {
  const { values } = parseCommandLine(argv, {
    'low-stock': { type: 'boolean' },
    threshold: { type: 'string' },
    table: { type: 'string' },
    endpoint: { type: 'string' },
    json: { type: 'boolean' },
  });
  const threshold = values.threshold;
  if (threshold !== undefined && (!/^\d+$/.test(threshold) || !Number.isSafeInteger(Number(threshold)))) {
    throw new UsageError(`--threshold must be a non-negative integer, got '${threshold}'`);
  }
  return {
    lowStock: values['low-stock'] === true,
    threshold: threshold === undefined ? undefined : Number(threshold),
    tableName: values.table,
    endpoint: parseEndpoint(values.endpoint, Endpoint.AWS),
    json: values.json === true,
  };
};

export const scanTable = async (client: DynamoDBClient, tableName: string): Promise<InventoryItem[]> => {
  const items: InventoryItem[] = [];
  for await (const page of paginateScan({ client }, { TableName: tableName })) {
    items.push(...(page.Items ?? []).map(plainItem));
  }
  return items.sort((a, b) => Number(a.product_id) - Number(b.product_id));
};

const stockOf = (item: InventoryItem): number => Number(item.stock_quantity ?? 0);

/** The seed's columns, the way a person reads them; bookkeeping attributes are left out. */
export const formatInventory = (items: readonly InventoryItem[]): string =>
  formatTable(items, [
    { header: 'product_id', value: (item: InventoryItem) => item.product_id, align: 'right' },
    { header: 'name', value: (item) => item.name },
    { header: 'price', value: (item) => item.price, align: 'right' },
    { header: 'stock', value: (item) => item.stock_quantity, align: 'right' },
    { header: 'last_updated', value: (item) => item.last_updated },
  ]);

/** Pure: the items `--low-stock` lists, lowest stock first. */
const lowStockItems = (items: readonly InventoryItem[], threshold: number): InventoryItem[] =>
  items
    .filter((item) => stockOf(item) < threshold)
    .sort((a, b) => stockOf(a) - stockOf(b) || Number(a.product_id) - Number(b.product_id));

/** Pure: what `inventory --json` prints for these items. */
export const inventoryDocument = (
  items: readonly InventoryItem[],
  options: { lowStock: boolean; threshold: number; tableName: string; where: string },
) => {
  const listed = options.lowStock ? lowStockItems(items, options.threshold) : items;
  return {
    table: options.tableName,
    where: options.where,
    threshold: options.threshold,
    lowStockOnly: options.lowStock,
    count: listed.length,
    items: listed,
  };
};

/** Pure: what `inventory` prints for these items. */
export const renderInventory = (
  items: readonly InventoryItem[],
  options: { lowStock: boolean; threshold: number; heading: string },
): string => {
  const low = items.filter((item) => stockOf(item) < options.threshold);
  if (options.lowStock) {
    const sorted = lowStockItems(items, options.threshold);
    const title = `${options.heading}: ${low.length} of ${items.length} product(s) under ${options.threshold} in stock`;
    return `${title}\n${sorted.length > 0 ? `${formatInventory(sorted)}\n` : ''}`;
  }
  const footer =
    low.length === 0
      ? `none under the low-stock threshold (${options.threshold})`
      : `${low.length} under the low-stock threshold (${options.threshold}): ${low.map((item) => item.product_id).join(', ')}`;
  return `${options.heading}: ${items.length} product(s)\n${formatInventory(items)}\n${footer}\n`;
};

/** `inventory`: scans the table once and prints it. */
export const inventoryMain = async (
  argv: readonly string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> => {
  const options = parseInventoryArgs(argv);
  await withAwsConnection(
    {
      endpoint: options.endpoint,
      env,
      tableName: options.tableName,
      needsBucket: false,
    },
    async (connection) => {
      const { tableName, lowStockThreshold } = connection.config;
      const items = await scanTable(connection.dynamoDb, tableName);
      const threshold = options.threshold ?? lowStockThreshold;
      io.stdout(
        options.json
          ? `${JSON.stringify(inventoryDocument(items, { lowStock: options.lowStock, threshold, tableName, where: connection.description }), null, 2)}\n`
          : renderInventory(items, {
              lowStock: options.lowStock,
              threshold,
              heading: `table ${tableName} (${connection.description})`,
            }),
      );
    },
  );
};
