import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { StockModel } from '../../lambda/inventory/stock-model.js';
import { Attr } from '../../lambda/store/attributes.js';

/** One `products` row as reconcile reads it. */
export interface DatabaseProduct {
  readonly id: number;
  readonly name: string;
  /** SQL NULL is `null`: the item must then have no description attribute. */
  readonly description: string | null;
  /** `price::text`: the exact decimal with the column's scale ("89.00"), as the function writes it. */
  readonly price: string;
  readonly stockQuantity: number;
  /** SUM(order_items.quantity) of the product; 0 under `products`, where order lines are not read. */
  readonly ordered: number;
}

/** The item's compared attributes as DynamoDB returns them (see COMPARED_ATTRIBUTES). */
export type TableItem = Readonly<Record<string, AttributeValue>>;

/** The attributes reconcile reads from the table: the contract's columns and the previous count. */
export const COMPARED_ATTRIBUTES = [
  Attr.PRODUCT_ID,
  Attr.NAME,
  Attr.DESCRIPTION,
  Attr.PRICE,
  Attr.STOCK_QUANTITY,
  Attr.SOURCE_STOCK,
] as const;

export const Field = {
  NAME: Attr.NAME,
  DESCRIPTION: Attr.DESCRIPTION,
  PRICE: Attr.PRICE,
  STOCK: Attr.STOCK_QUANTITY,
  SOURCE_STOCK: Attr.SOURCE_STOCK,
} as const;
export type Field = (typeof Field)[keyof typeof Field];

/**
 * A value the table holds, as plain JSON: a string (S), a number (N; kept as `{ N }` when a JS number would
 * not print it back exactly), `null` when the attribute is absent, or the raw attribute for any other type.
 */
export type TableValue = string | number | null | Readonly<Record<string, unknown>>;

export const tableValue = (value: AttributeValue | undefined): TableValue => {
  if (value === undefined) return null;
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return String(Number(value.N)) === value.N ? Number(value.N) : { N: value.N };
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined));
};

export interface Difference {
  readonly field: Field;
  readonly table: TableValue;
  /** The database's value of the column (for stock: products.stock_quantity). */
  readonly database: string | number | null;
  /** What the table must hold, when it is not simply `database` (stock under ledger and orders). */
  readonly expected?: string;
}

export const Status = {
  AGREE: 'agree',
  MISSING_FROM_TABLE: 'missing_from_table',
  NOT_IN_DATABASE: 'not_in_database',
  DIFFERENT: 'different',
} as const;
export type Status = (typeof Status)[keyof typeof Status];

/** How the item's stock was checked: equal to what the rows give, or only within bounds (orders). */
export const StockCheck = { EXACT: 'exact', BOUNDED: 'bounded' } as const;
export type StockCheck = (typeof StockCheck)[keyof typeof StockCheck];

export type Comparison =
  | { readonly status: typeof Status.AGREE; readonly stock: StockCheck }
  | { readonly status: typeof Status.MISSING_FROM_TABLE }
  | { readonly status: typeof Status.NOT_IN_DATABASE }
  | {
      readonly status: typeof Status.DIFFERENT;
      readonly differences: readonly Difference[];
      readonly stock: StockCheck;
    };

/** What the rows say the item's stock_quantity must be, per stock model (SOURCE_SCHEMA.md, "Stock models"). */
export interface ExpectedStock {
  readonly min: number;
  readonly max: number;
  readonly check: StockCheck;
  /** The rule in words, for the report: "= 5", "5 received − 2 ordered = 3", "3..5 (…)". */
  readonly rule: string;
}

export const expectedStock = (model: StockModel, row: DatabaseProduct): ExpectedStock => {
  const count = row.stockQuantity;
  if (model === StockModel.PRODUCTS)
    return { min: count, max: count, check: StockCheck.EXACT, rule: `${count}` };
  if (model === StockModel.LEDGER) {
    const stock = count - row.ordered;
    return {
      min: stock,
      max: stock,
      check: StockCheck.EXACT,
      rule: `${stock} (${count} received − ${row.ordered} ordered)`,
    };
  }
  // orders: the count less the order lines committed after it. Which lines those are is commit order, which
  // the rows do not carry: every line after the count gives the low end, none the high end.
  if (row.ordered === 0)
    return { min: count, max: count, check: StockCheck.EXACT, rule: `${count} (no order lines)` };
  return {
    min: count - row.ordered,
    max: count,
    check: StockCheck.BOUNDED,
    rule: `${count - row.ordered}..${count} (count ${count} less the lines after it, of ${row.ordered} ordered)`,
  };
};

const numberOf = (value: AttributeValue | undefined): number | undefined => {
  if (value?.N === undefined) return undefined;
  const number = Number(value.N);
  return Number.isFinite(number) ? number : undefined;
};

/**
 * Pure: one product compared under `model`. Name, price and description are compared exactly (price as the
 * exact decimal string; a SQL NULL description is an absent attribute). Stock per expectedStock; under
 * orders and ledger also `source_stock`, the count the function last applied, when the item has it (items
 * written by the Python service or by hand have none).
 */
export const compareProduct = (
  model: StockModel,
  row: DatabaseProduct | undefined,
  item: TableItem | undefined,
): Comparison => {
  if (row === undefined) {
    if (item === undefined) throw new Error('compareProduct needs a row or an item');
    return { status: Status.NOT_IN_DATABASE };
  }
  if (item === undefined) return { status: Status.MISSING_FROM_TABLE };
  const differences: Difference[] = [];
  const differs = (field: Field, database: string | number | null, expected?: string) =>
    differences.push({
      field,
      table: tableValue(item[field]),
      database,
      ...(expected === undefined ? {} : { expected }),
    });
  if (item[Attr.NAME]?.S !== row.name) differs(Field.NAME, row.name);
  const description = item[Attr.DESCRIPTION];
  if (row.description === null ? description !== undefined : description?.S !== row.description) {
    differs(Field.DESCRIPTION, row.description);
  }
  if (item[Attr.PRICE]?.S !== row.price) differs(Field.PRICE, row.price);
  const stock = expectedStock(model, row);
  const stored = numberOf(item[Attr.STOCK_QUANTITY]);
  if (stored === undefined || stored < stock.min || stored > stock.max) {
    differs(Field.STOCK, row.stockQuantity, stock.rule);
  }
  const sourceStock = item[Attr.SOURCE_STOCK];
  if (
    model !== StockModel.PRODUCTS &&
    sourceStock !== undefined &&
    numberOf(sourceStock) !== row.stockQuantity
  ) {
    differs(Field.SOURCE_STOCK, row.stockQuantity, `${row.stockQuantity} (the last count applied)`);
  }
  return differences.length === 0
    ? { status: Status.AGREE, stock: stock.check }
    : { status: Status.DIFFERENT, differences, stock: stock.check };
};

/**
 * Whether the connector sending the products row again (an incremental snapshot) changes the item: always for
 * a missing item or a different name, description or price; for the stock under `products`; under `orders`
 * and `ledger` only when `source_stock` differs (the row then sets the count, or moves the stock by the
 * difference). A stock that is off by order lines is not changed by the row: the function compares a
 * snapshot row with the stored count like any version, so that re-sending never wipes out the orders.
 */
export const resendChanges = (model: StockModel, comparison: Comparison): boolean => {
  if (comparison.status === Status.MISSING_FROM_TABLE) return true;
  if (comparison.status !== Status.DIFFERENT) return false;
  return comparison.differences.some(
    (difference) => difference.field !== Field.STOCK || model === StockModel.PRODUCTS,
  );
};

/** What reconcile checks under each model, in words: the report, --json and --help say the same. */
export interface ModelChecks {
  readonly exact: readonly string[];
  readonly bounded: readonly string[];
  readonly notChecked: readonly string[];
}

const COMMON_EXACT = [
  'presence: every products row has an item and every item a products row',
  'name, exactly',
  'description, exactly (SQL NULL = no description attribute)',
  'price, as the exact decimal string with the column scale ("89.00")',
];

const NOT_CHECKED = [
  'last_updated, cdc_timestamp, cdc_position and stock_position: commit-time bookkeeping the rows do not carry',
  'a change committed while reconcile reads may show as a difference until the pipeline has applied it: run again',
];

export const MODEL_CHECKS: Readonly<Record<StockModel, ModelChecks>> = {
  [StockModel.PRODUCTS]: {
    exact: [...COMMON_EXACT, 'stock_quantity = products.stock_quantity'],
    bounded: [],
    notChecked: NOT_CHECKED,
  },
  [StockModel.LEDGER]: {
    exact: [
      ...COMMON_EXACT,
      'stock_quantity = products.stock_quantity − SUM(order_items.quantity) (every step commutes)',
      'source_stock = products.stock_quantity, when the item has it',
    ],
    bounded: [],
    notChecked: NOT_CHECKED,
  },
  [StockModel.ORDERS]: {
    exact: [
      ...COMMON_EXACT,
      'source_stock = products.stock_quantity (the last count), when the item has it',
      'stock_quantity = products.stock_quantity for a product without order lines',
    ],
    bounded: [
      'stock_quantity between products.stock_quantity − SUM(order_items.quantity) and products.stock_quantity: ' +
        'the stock is the last count less the order lines committed after it, and which lines committed after ' +
        'the count is commit order, which the rows alone do not show',
    ],
    notChecked: NOT_CHECKED,
  },
};
