import { StockModel } from '../../lambda/inventory/stock-model.js';
import {
  type Comparison,
  compareProduct,
  type DatabaseProduct,
  type Difference,
  expectedStock,
  Field,
  resendChanges,
  Status,
  StockCheck,
  type TableItem,
  type TableValue,
  tableValue,
} from './compare.js';
import type { IdRun, RepairPlan } from './repair-sql.js';
import { type SnapshotEffect, snapshotOutcome } from './snapshot-effect.js';

export interface ReconcileCounts {
  /** Rows in public.products. */
  databaseProducts: number;
  /** Items in the table. */
  tableItems: number;
  /** Products whose every compared value, stock included, the rows confirm exactly. */
  agree: number;
  /**
   * Products with no difference found whose stock the rows confirm only within bounds (orders, with order
   * lines): never counted as agreeing.
   */
  withinBounds: number;
  missingFromTable: number;
  notInDatabase: number;
  different: number;
  /** Products (agreeing or not) whose stock could only be checked within bounds (orders, with order lines). */
  stockBounded: number;
}

/** One product that differs, as listed in the report and in --json. */
export interface Drift {
  /** A number; a string only for a table key that is not an integer (it has no products row then). */
  readonly product_id: number | string;
  readonly status: Exclude<Status, typeof Status.AGREE>;
  /** Name, description, price, stock or source_stock differences (status `different`). */
  readonly differences?: readonly Difference[];
  /** The products row (status `missing_from_table`). */
  readonly database?: {
    readonly name: string;
    readonly description: string | null;
    readonly price: string;
    readonly stock_quantity: number;
    readonly ordered?: number;
    readonly expected_stock: string;
  };
  /** The item's compared attributes (status `not_in_database`). */
  readonly table?: Readonly<Record<string, TableValue>>;
  /** Whether the connector sending the products row again (--repair-sql) changes the item. */
  readonly resend: boolean;
}

const ID_SAMPLE = 50;

/** How many, and the first few for a comment line. */
class IdSample<T> {
  readonly ids: T[] = [];
  total = 0;

  add(id: T): void {
    this.total += 1;
    if (this.ids.length < ID_SAMPLE) this.ids.push(id);
  }
}

const plainItem = (item: TableItem): Record<string, TableValue> =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, tableValue(value)]));

/**
 * Accumulates the comparison as the pages go by, in memory bounded by the differences: counts, at most
 * `maxListed` listed products, and the runs of products to send again (in id order, merged while no agreeing
 * row comes between them).
 */
export class Tally {
  readonly counts: ReconcileCounts = {
    databaseProducts: 0,
    tableItems: 0,
    agree: 0,
    withinBounds: 0,
    missingFromTable: 0,
    notInDatabase: 0,
    different: 0,
    stockBounded: 0,
  };
  readonly listed: Drift[] = [];
  unlisted = 0;
  readonly #model: StockModel;
  readonly #maxListed: number;
  readonly #runs: IdRun[] = [];
  #run: { first: number; last: number; rows: number } | undefined;
  #resendCount = 0;
  readonly #stockOff = new IdSample<number>();
  readonly #notInDatabase = new IdSample<string>();
  readonly #withinBounds = new IdSample<number>();
  readonly #effects = new Map<SnapshotEffect, IdSample<number>>();
  readonly #unrepairable = new IdSample<{ readonly id: number; readonly truth?: number }>();

  constructor(model: StockModel, maxListed: number) {
    this.#model = model;
    this.#maxListed = maxListed;
  }

  get drifted(): number {
    return this.counts.missingFromTable + this.counts.notInDatabase + this.counts.different;
  }

  /** A products row and its item (if any); rows must come in id order. */
  databaseRow(row: DatabaseProduct, item: TableItem | undefined): Comparison {
    const comparison = compareProduct(this.#model, row, item);
    this.counts.databaseProducts += 1;
    if ('stock' in comparison && comparison.stock === StockCheck.BOUNDED) this.counts.stockBounded += 1;
    // A row sent again must not set a stock the database cannot confirm (snapshot-effect.ts).
    const outcome = snapshotOutcome(this.#model, row, item);
    const changes = resendChanges(this.#model, comparison);
    const resend = changes && outcome.safe;
    if (changes && !outcome.safe)
      this.#unrepairable.add({
        id: row.id,
        ...(outcome.truth === undefined ? {} : { truth: outcome.truth }),
      });
    if (resend) {
      const effect = this.#effects.get(outcome.effect) ?? new IdSample<number>();
      this.#effects.set(outcome.effect, effect);
      effect.add(row.id);
      this.#resendCount += 1;
      if (this.#run === undefined) this.#run = { first: row.id, last: row.id, rows: 1 };
      else {
        this.#run.last = row.id;
        this.#run.rows += 1;
      }
    } else {
      this.#closeRun();
    }
    if (comparison.status === Status.AGREE && comparison.stock === StockCheck.BOUNDED) {
      this.counts.withinBounds += 1;
      this.#withinBounds.add(row.id);
      return comparison;
    }
    if (comparison.status === Status.AGREE) {
      this.counts.agree += 1;
      return comparison;
    }
    if (
      comparison.status === Status.DIFFERENT &&
      this.#model !== StockModel.PRODUCTS &&
      comparison.differences.some((difference) => difference.field === Field.STOCK)
    ) {
      this.#stockOff.add(row.id);
    }
    if (comparison.status === Status.MISSING_FROM_TABLE) {
      this.counts.missingFromTable += 1;
      this.#list({
        product_id: row.id,
        status: comparison.status,
        database: {
          name: row.name,
          description: row.description,
          price: row.price,
          stock_quantity: row.stockQuantity,
          ...(this.#model === StockModel.PRODUCTS ? {} : { ordered: row.ordered }),
          expected_stock: expectedStock(this.#model, row).rule,
        },
        resend,
      });
    } else if (comparison.status === Status.DIFFERENT) {
      this.counts.different += 1;
      this.#list({
        product_id: row.id,
        status: comparison.status,
        differences: comparison.differences,
        resend,
      });
    }
    return comparison;
  }

  /** An item whose key has no products row. `item` is undefined if it was deleted since the key scan. */
  notInDatabase(id: string, item: TableItem | undefined): void {
    if (item === undefined) return;
    this.counts.notInDatabase += 1;
    this.#notInDatabase.add(id);
    const number = Number(id);
    this.#list({
      product_id: Number.isSafeInteger(number) ? number : id,
      status: Status.NOT_IN_DATABASE,
      table: plainItem(item),
      resend: false,
    });
  }

  tableKeys(count: number): void {
    this.counts.tableItems += count;
  }

  /** The listed products in id order (the key scan finds extra items in no order). */
  sortedListed(): Drift[] {
    return [...this.listed].sort((a, b) => Number(a.product_id) - Number(b.product_id));
  }

  repairPlan(): RepairPlan {
    this.#closeRun();
    return {
      runs: this.#runs,
      resendCount: this.#resendCount,
      stockOff: { ids: this.#stockOff.ids, total: this.#stockOff.total },
      notInDatabase: { ids: this.#notInDatabase.ids, total: this.#notInDatabase.total },
      effects: Object.fromEntries(
        [...this.#effects].map(([effect, sample]) => [effect, { ids: sample.ids, total: sample.total }]),
      ),
      unrepairable: { ids: this.#unrepairable.ids, total: this.#unrepairable.total },
    };
  }

  /** Products with no difference found whose stock the rows confirm only within bounds: first ids. */
  withinBoundsIds(): readonly number[] {
    return this.#withinBounds.ids;
  }

  #list(drift: Drift): void {
    if (this.listed.length < this.#maxListed) this.listed.push(drift);
    else this.unlisted += 1;
  }

  #closeRun(): void {
    if (this.#run !== undefined) this.#runs.push({ ...this.#run });
    this.#run = undefined;
  }
}
