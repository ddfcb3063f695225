import type pg from 'pg';
import type { StockModel } from '../../lambda/inventory/stock-model.js';

/**
 * A shop writing its database the way the contract's stock models describe, from several connections at
 * once: products created (and an id re-created with an explicit INSERT after its delete), orders,
 * restocks and stock-takes, price, name and description edits (some descriptions large enough to be
 * TOASTed, so later updates that leave them alone send pgoutput's unchanged-TOAST marker), deletes. Real
 * concurrency brings real outcomes: row locks make transactions wait, a delete racing an order makes one of
 * them fail its foreign key check, a deadlock aborts one side; failed transactions roll back and are only
 * counted, they never reach the WAL's committed stream.
 */

export interface WorkloadFigures {
  committed: number;
  aborted: number;
  byAction: Record<string, number>;
}

type Action = 'create' | 'recreate' | 'order' | 'count' | 'price' | 'rename' | 'describe' | 'delete';

const WEIGHTS: ReadonlyArray<readonly [Action, number]> = [
  ['create', 3],
  ['recreate', 1],
  ['order', 8],
  ['count', 3],
  ['price', 2],
  ['rename', 1],
  ['describe', 2],
  ['delete', 1],
];

/** Lock waits, deadlocks and a foreign key lost to a concurrent delete: the shop gives up that transaction. */
const ABANDONED = new Set(['40P01', '40001', '23503']);

const LARGE_DESCRIPTION_CHARS = 9_000;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;';

export class ShopWorkload {
  readonly figures: WorkloadFigures = { committed: 0, aborted: 0, byAction: {} };
  /** Committed products the random transactions may touch (reserved ones are taken out). */
  private readonly live = new Set<number>();
  private readonly deleted: number[] = [];
  private nextOrder = 1;

  constructor(
    private readonly pool: pg.Pool,
    readonly model: StockModel,
    private readonly random: () => number,
  ) {}

  private pick<T>(items: readonly T[]): T | undefined {
    return items[Math.floor(this.random() * items.length)];
  }

  private integer(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** A random price with two decimals, as text (NUMERIC(10,2)); some above 2^31 cents' worth of digits. */
  private price(): string {
    const cents = this.random() < 0.1 ? this.integer(1, 99_999_999_99) : this.integer(1, 250_000);
    return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  }

  /** Random text that does not compress: stored out of line (TOAST) once over ~2 KB. */
  largeDescription(): string {
    let text = '';
    while (text.length < LARGE_DESCRIPTION_CHARS)
      text += ALPHABET[Math.floor(this.random() * ALPHABET.length)];
    return text;
  }

  private description(): string | null {
    const roll = this.random();
    if (roll < 0.3) return this.largeDescription();
    if (roll < 0.45) return null;
    return `It's "${this.pick(['fast', 'quiet', 'robust', 'new'])}" \\ ${this.integer(1, 99)}`;
  }

  /** Takes a live product out of the random transactions' reach (for a long transaction to own). */
  reserve(): number {
    const id = this.pick([...this.live]);
    if (id === undefined) throw new Error('no live product to reserve');
    this.live.delete(id);
    return id;
  }

  release(id: number): void {
    this.live.add(id);
  }

  liveProducts(): number[] {
    return [...this.live];
  }

  /** A product the random transactions must no longer touch (its key changed, or it was truncated). */
  forget(id: number): void {
    this.live.delete(id);
  }

  /** After a TRUNCATE: no product left, none to re-create. */
  forgetAll(): void {
    this.live.clear();
    this.deleted.length = 0;
  }

  async create(client: pg.ClientBase, id?: number, description = this.description()): Promise<number> {
    const stock = this.integer(0, 80);
    const name = `${this.pick(['Laptop', 'Mouse', 'Hub', 'Desk', 'Lamp'])} ${this.integer(1, 9999)}`;
    const { rows } = await client.query<{ id: number }>(
      id === undefined
        ? 'INSERT INTO products (name, description, price, stock_quantity) VALUES ($1, $2, $3, $4) RETURNING id'
        : 'INSERT INTO products (id, name, description, price, stock_quantity) VALUES ($5, $1, $2, $3, $4) RETURNING id',
      id === undefined
        ? [name, description, this.price(), stock]
        : [name, description, this.price(), stock, id],
    );
    return Number(rows[0]?.id);
  }

  /** One order: lines on distinct products (ascending ids, so two orders lock in the same order). */
  async order(client: pg.ClientBase, products: readonly number[]): Promise<void> {
    const order = this.nextOrder++;
    for (const id of [...new Set(products)].sort((a, b) => a - b)) {
      const quantity = this.integer(1, 5);
      await client.query(
        `INSERT INTO order_items (order_id, product_id, quantity, unit_price)
           SELECT $1, id, $3, price FROM products WHERE id = $2`,
        [order, id, quantity],
      );
      // Under STOCK_MODEL=products the shop's order transaction keeps the column itself.
      if (this.model === 'products') {
        await client.query(
          'UPDATE products SET stock_quantity = stock_quantity - $2, updated_at = now() WHERE id = $1',
          [id, quantity],
        );
      }
      await this.think();
    }
  }

  /**
   * A stock-take (orders, products: the counted value) or a receipt (ledger, sometimes products). Unless
   * `changes`, a stock-take may find what the row says: an update that leaves stock_quantity as it was.
   */
  async count(client: pg.ClientBase, id: number, changes = false): Promise<void> {
    const receipt = this.model === 'ledger' || (this.model === 'products' && this.random() < 0.5);
    if (receipt) {
      await client.query(
        'UPDATE products SET stock_quantity = stock_quantity + $2, updated_at = now() WHERE id = $1',
        [id, this.integer(1, 40)],
      );
    } else if (!changes && this.random() < 0.15) {
      await client.query('UPDATE products SET updated_at = now() WHERE id = $1', [id]);
    } else {
      await client.query(
        `UPDATE products SET stock_quantity = CASE WHEN stock_quantity = $2 THEN $2 + 1 ELSE $2 END,
           updated_at = now() WHERE id = $1`,
        [id, this.integer(0, 120)],
      );
    }
  }

  async edit(client: pg.ClientBase, id: number, action: 'price' | 'rename' | 'describe'): Promise<void> {
    const [column, value] =
      action === 'price'
        ? ['price', this.price()]
        : action === 'rename'
          ? ['name', `Renamed ${this.integer(1, 9999)}`]
          : ['description', this.description()];
    await client.query(`UPDATE products SET ${column} = $2, updated_at = now() WHERE id = $1`, [id, value]);
  }

  /** The foreign key: the product's order lines go first, under the product's row lock. */
  async remove(client: pg.ClientBase, id: number): Promise<void> {
    await client.query('SELECT id FROM products WHERE id = $1 FOR UPDATE', [id]);
    await client.query('DELETE FROM order_items WHERE product_id = $1', [id]);
    await client.query('DELETE FROM products WHERE id = $1', [id]);
  }

  /** The application's own work between statements: what lets transactions overlap and collide. */
  private think(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.integer(0, 3)));
  }

  private chooseAction(): Action {
    const total = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.random() * total;
    for (const [action, weight] of WEIGHTS) {
      roll -= weight;
      if (roll < 0) return action;
    }
    return 'order';
  }

  recordCommit(label: string): void {
    this.figures.committed += 1;
    this.figures.byAction[label] = (this.figures.byAction[label] ?? 0) + 1;
  }

  /** Runs `body` as one transaction; a transaction the database refuses is rolled back and counted. */
  async transaction(label: string, body: (client: pg.ClientBase) => Promise<void>): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await body(client);
      await this.think();
      await client.query('COMMIT');
      this.recordCommit(label);
      return true;
    } catch (error) {
      await client.query('ROLLBACK');
      if (!ABANDONED.has((error as { code?: string }).code ?? '')) throw error;
      this.figures.aborted += 1;
      return false;
    } finally {
      client.release();
    }
  }

  /** One random transaction of the shop; sometimes two actions in one transaction. */
  async randomTransaction(): Promise<void> {
    const live = [...this.live];
    let action = this.chooseAction();
    if (live.length < 3 || (action === 'recreate' && this.deleted.length === 0)) action = 'create';
    if (action === 'create' || action === 'recreate') {
      const id = action === 'recreate' ? this.deleted.shift() : undefined;
      let created: number | undefined;
      const ok = await this.transaction(action, async (client) => {
        created = await this.create(client, id);
      });
      if (ok && created !== undefined) this.live.add(created);
      else if (id !== undefined) this.deleted.push(id);
      return;
    }
    const id = this.pick(live) as number;
    if (action === 'delete') {
      this.live.delete(id);
      const ok = await this.transaction('delete', (client) => this.remove(client, id));
      if (ok) this.deleted.push(id);
      else this.live.add(id);
      return;
    }
    await this.transaction(action, async (client) => {
      if (action === 'order') {
        await this.order(client, [id, ...(this.random() < 0.4 ? [this.pick(live) as number] : [])]);
      } else if (action === 'count') await this.count(client, id);
      else await this.edit(client, id, action);
      // A second action in the same transaction: its changes share the transaction's commit.
      if (this.random() < 0.15) await this.count(client, this.pick(live) as number);
    });
  }

  /**
   * An order line written before a stock-take of the same product commits, and committed after it: no lock
   * orders them (the line's foreign key check takes KEY SHARE, the update NO KEY UPDATE), so the line has
   * the lower LSN but the later commit, and comes after the count. Under STOCK_MODEL=products the order
   * also updates the row, which would make the stock-take wait: there the race cannot happen.
   */
  async orderRacingStockTake(): Promise<void> {
    if (this.model === 'products') return;
    const id = this.reserve();
    const line = await this.pool.connect();
    try {
      await line.query('BEGIN');
      await this.order(line, [id]);
      if (!(await this.transaction('count', (client) => this.count(client, id, true)))) {
        throw new Error(`stock-take of ${id}`);
      }
      await line.query('COMMIT');
      this.recordCommit('order');
    } catch (error) {
      await line.query('ROLLBACK');
      throw error;
    } finally {
      line.release();
      this.release(id);
    }
  }

  /** A product deleted (its order lines first) and then created again under the same id. */
  async deleteAndRecreate(): Promise<number> {
    const id = this.reserve();
    if (!(await this.transaction('delete', (client) => this.remove(client, id))))
      throw new Error(`delete ${id}`);
    if (!(await this.transaction('recreate', (client) => this.create(client, id).then(() => undefined)))) {
      throw new Error(`re-create ${id}`);
    }
    this.release(id);
    return id;
  }

  /** `transactions` random transactions from `workers` connections at once. */
  async runConcurrently(transactions: number, workers: number): Promise<void> {
    let remaining = transactions;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (remaining > 0) {
          remaining -= 1;
          await this.randomTransaction();
        }
      }),
    );
  }
}
