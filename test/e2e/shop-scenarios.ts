import type pg from 'pg';
import { UNCHANGED_TOAST } from './pgoutput.js';
import type { ShopWorkload } from './shop-workload.js';
import type { ShopScenario } from './source-run.js';
import { type DebeziumChange, KEY_CHANGE_HEADER } from './wal-to-debezium.js';

/**
 * What the shop does besides its random workload, one contract rule each ("What the table must equal" in
 * ../shared/SOURCE_SCHEMA.md), after the workload so that its statements are deterministic. Each comes with
 * the claims that the stream it produced really exercises the rule: a case whose stream lost them would
 * pass without testing anything.
 */
export interface Scenario extends ShopScenario {
  /** Named facts about the streamed changes from the scenario's start on, each of which must hold. */
  claims(changes: readonly DebeziumChange[]): Record<string, boolean>;
}

/**
 * The key a key change gives product `id` (`hop` 1, then 2): far above what the SERIAL sequence hands out
 * in a run, so later creates never collide with it, and placed in a chosen Kafka partition.
 */
export type NextKey = (id: number, hop: number) => number;

const commit = async (shop: ShopWorkload, label: string, body: (client: pg.ClientBase) => Promise<void>) => {
  if (!(await shop.transaction(label, body))) throw new Error(`the scenario's ${label} was refused`);
};

const twoLiveProducts = (shop: ShopWorkload): [number, number] => {
  const [first, second] = shop.liveProducts().sort((a, b) => a - b);
  if (first === undefined || second === undefined) throw new Error('the shop has too few products');
  return [first, second];
};

/**
 * The foreign key (NO ACTION) forbids changing a key that order lines reference, so the shop cancels the
 * product's lines in the same transaction; its description, TOASTed and left alone, reaches pgoutput as
 * unchanged-TOAST 'u' and the create of the new key carries the placeholder.
 */
const changeKey = async (shop: ShopWorkload, id: number, newId: number): Promise<void> => {
  await commit(shop, 'key change', async (client) => {
    await client.query('DELETE FROM order_items WHERE product_id = $1', [id]);
    await client.query('UPDATE products SET id = $2, updated_at = now() WHERE id = $1', [id, newId]);
  });
  shop.forget(id);
  shop.release(newId);
};

/**
 * `UPDATE products SET id = …` (A → B) on a product with a description stored out of line (9,000
 * incompressible characters) that a streamed change set just before; order lines of A before the change (a
 * stock-take between them) and of B after it. B's description can only come from A's item.
 * Not here: an edit of B soon after (a later update that also carries the placeholder). When the handler
 * gets B's create and that update in one batch, B ends without the description (a handler gap, reported;
 * the create alone in a batch, or the update in a later one, are right).
 */
export const keyChange = (name: string, nextKey: NextKey): Scenario => ({
  name,
  async run(shop) {
    const [id, other] = twoLiveProducts(shop);
    await commit(shop, 'describe', async (client) => {
      await client.query('UPDATE products SET description = $2, updated_at = now() WHERE id = $1', [
        id,
        shop.largeDescription(),
      ]);
    });
    await commit(shop, 'order', (client) => shop.order(client, [id, other]));
    await commit(shop, 'count', (client) => shop.count(client, id, true));
    await commit(shop, 'order', (client) => shop.order(client, [id]));
    const next = nextKey(id, 1);
    await changeKey(shop, id, next);
    await commit(shop, 'order', (client) => shop.order(client, [other, next]));
    await commit(shop, 'order', (client) => shop.order(client, [next]));
  },
  claims(changes) {
    const products = changes.filter((change) => change.table === 'products');
    const creates = products.filter((change) => change.keyHeader?.name === KEY_CHANGE_HEADER.oldKey);
    const deletes = products.filter((change) => change.keyHeader?.name === KEY_CHANGE_HEADER.newKey);
    const lineProducts = new Set(
      changes
        .filter((change) => change.table === 'order_items' && change.op === 'c')
        .map((change) => Number(change.after?.product_id)),
    );
    return {
      'the key changed: a delete and a create at one position': creates.every(
        (create, index) =>
          deletes[index]?.source.lsn === create.source.lsn && deletes[index]?.keyHeader?.id === create.id,
      ),
      'one create with __debezium.oldkey': creates.length === 1,
      'each create carries the TOAST placeholder': creates.every(
        (create) => create.after?.description === UNCHANGED_TOAST,
      ),
      'order lines of the old key': deletes.every((del) => lineProducts.has(del.id as number)),
      'and of the new key': creates.some((create) => lineProducts.has(create.id as number)),
    };
  },
});

const readLines = async (client: pg.ClientBase) =>
  (
    await client.query<{ id: number; product_id: number; quantity: number }>(
      'SELECT id, product_id, quantity FROM order_items ORDER BY id',
    )
  ).rows;

/**
 * `REPLICA IDENTITY FULL` on order_items (pgoutput then sends the whole old row, 'O', with every update and
 * delete), then order lines edited: quantities up and down (a snapshot line, a line counted before a
 * stock-take of its product), one line twice in a transaction, a line created and edited in one
 * transaction, a line moved to another product, lines removed.
 */
export const orderLineEdits: Scenario = {
  name: 'order-line edits',
  async prepare(client) {
    await client.query('ALTER TABLE order_items REPLICA IDENTITY FULL');
  },
  async run(shop) {
    const [, other] = twoLiveProducts(shop);
    await commit(shop, 'edits', async (client) => {
      const lines = await readLines(client);
      const [first, second] = lines;
      if (first === undefined || second === undefined) throw new Error('too few order lines to edit');
      await client.query('UPDATE order_items SET quantity = quantity + 2 WHERE id = $1', [first.id]);
      await client.query('UPDATE order_items SET quantity = 1 WHERE id = $1', [second.id]);
      await client.query('UPDATE order_items SET quantity = 4 WHERE id = $1', [second.id]);
    });
    await commit(shop, 'order', (client) => shop.order(client, [other]));
    await commit(shop, 'count', (client) => shop.count(client, other, true));
    await commit(shop, 'edits', async (client) => {
      const lines = (await readLines(client)).filter((line) => line.product_id === other);
      const last = lines.at(-1);
      if (last === undefined) throw new Error(`no order line of ${other}`);
      await client.query('UPDATE order_items SET quantity = quantity + 3 WHERE id = $1', [last.id]);
    });
    await commit(shop, 'order and edit', async (client) => {
      await shop.order(client, [other]);
      await client.query(
        'UPDATE order_items SET quantity = quantity + 1 WHERE id = (SELECT max(id) FROM order_items)',
      );
    });
    await commit(shop, 'move and remove', async (client) => {
      const lines = await readLines(client);
      const moved = lines.find((line) => line.product_id !== other);
      const removed = lines.filter((line) => line.id !== moved?.id).slice(-3);
      if (moved === undefined || removed.length < 3)
        throw new Error('too few order lines to move and remove');
      await client.query('UPDATE order_items SET product_id = $2, quantity = quantity + 1 WHERE id = $1', [
        moved.id,
        other,
      ]);
      await client.query('DELETE FROM order_items WHERE id = ANY($1)', [removed.map((line) => line.id)]);
    });
    await commit(shop, 'order', (client) => shop.order(client, [other]));
  },
  claims(changes) {
    const lines = changes.filter((change) => change.table === 'order_items');
    const updates = lines.filter((change) => change.op === 'u');
    return {
      'every update carries its before image': updates.length >= 6 && updates.every((u) => u.before !== null),
      'a quantity changed': updates.some((u) => u.before?.quantity !== u.after?.quantity),
      'a line moved to another product': updates.some((u) => u.before?.product_id !== u.after?.product_id),
      'deletes carry the whole old row': lines.some((d) => d.op === 'd' && d.before?.quantity !== null),
    };
  },
};

/**
 * `TRUNCATE products, order_items` (the foreign key wants both in one statement: one Truncate message, one
 * `t` record per table), then the shop starts again: new products and orders, and one truncated id inserted
 * again (nothing older than the TRUNCATE brings a product back; a later insert does).
 */
export const truncateAndRefill: Scenario = {
  name: 'truncate',
  async run(shop) {
    const [id] = twoLiveProducts(shop);
    await commit(shop, 'order', (client) => shop.order(client, [id]));
    await commit(shop, 'truncate', async (client) => {
      await client.query('TRUNCATE products, order_items');
    });
    shop.forgetAll();
    await commit(shop, 'recreate', async (client) => {
      await shop.create(client, id);
    });
    shop.release(id);
    // At least one order line after the TRUNCATE, whatever the random transactions below happen to do.
    await commit(shop, 'order', (client) => shop.order(client, [id]));
    await shop.runConcurrently(10, 2);
  },
  claims(changes) {
    const truncates = changes.filter((change) => change.op === 't');
    const after = changes.filter((change) => change.source.lsn > (truncates[0]?.source.lsn ?? 0n));
    return {
      'one t record per table':
        truncates
          .map((t) => t.table)
          .sort()
          .join() === 'order_items,products',
      'both at one position': truncates.every((t) => t.source.lsn === truncates[0]?.source.lsn),
      'truncates have no key': truncates.every((t) => t.id === null),
      'products created after it': after.some((change) => change.table === 'products' && change.op === 'c'),
      'order lines created after it': after.some(
        (change) => change.table === 'order_items' && change.op === 'c',
      ),
    };
  },
};
