/**
 * The simple in-memory truth that the property test compares the table with: every change applied once,
 * in the order the mapping first delivered it successfully.
 */
export interface ModelProduct {
  name: string;
  description: string | null;
  price: string;
  stock: number;
  position: number;
}

export type ModelChange =
  | {
      kind: 'upsert';
      id: number;
      name: string;
      /** undefined: the TOAST placeholder, which keeps the stored value. */
      description: string | null | undefined;
      price: string;
      stock: number;
      position: number;
    }
  | { kind: 'delete'; id: number; position: number }
  | { kind: 'decrement'; productId: number; quantity: number; deadLetterKey: string }
  | { kind: 'poison'; deadLetterKey: string; code: string };

export class InventoryModel {
  readonly products = new Map<number, ModelProduct>();
  readonly deadLetters = new Map<string, string>();
  /** Order items dead-lettered as UNKNOWN_PRODUCT, by dead-letter key. */
  readonly unknownProductOrders = new Map<string, { productId: number; quantity: number }>();
  decrementsApplied = 0;
  /** Dead-lettered order items that a later redelivery applied live, once their product existed. */
  readonly lateLiveApplied = new Set<string>();
  /** Stock those late applications still take from each product (a later upsert overwrites stock). */
  readonly #lateLiveStock = new Map<number, number>();

  /**
   * A record delivered again after the model learned it. The live path applies an order item it once
   * dead-lettered as UNKNOWN_PRODUCT as soon as a redelivery finds the product: the table then holds that
   * decrement until an upsert sets the stock again. Kept apart from `products`, which stays the history
   * as first delivered (replay's expectations build on it).
   */
  redeliver(change: ModelChange): void {
    if (change.kind !== 'decrement' || this.lateLiveApplied.has(change.deadLetterKey)) return;
    if (!this.unknownProductOrders.has(change.deadLetterKey) || !this.products.has(change.productId)) return;
    this.lateLiveApplied.add(change.deadLetterKey);
    this.#lateLiveStock.set(
      change.productId,
      (this.#lateLiveStock.get(change.productId) ?? 0) + change.quantity,
    );
  }

  apply(change: ModelChange): void {
    switch (change.kind) {
      case 'upsert': {
        const current = this.products.get(change.id);
        if (current === undefined || current.position < change.position) {
          const { name, price, stock, position } = change;
          const description =
            change.description === undefined ? (current?.description ?? null) : change.description;
          this.products.set(change.id, { name, description, price, stock, position });
          this.#lateLiveStock.delete(change.id);
        }
        return;
      }
      case 'delete': {
        const current = this.products.get(change.id);
        if (current === undefined || current.position < change.position) {
          this.products.delete(change.id);
          this.#lateLiveStock.delete(change.id);
        }
        return;
      }
      case 'decrement': {
        const product = this.products.get(change.productId);
        if (product === undefined) {
          this.deadLetters.set(change.deadLetterKey, 'UNKNOWN_PRODUCT');
          this.unknownProductOrders.set(change.deadLetterKey, {
            productId: change.productId,
            quantity: change.quantity,
          });
        } else {
          product.stock -= change.quantity;
          this.decrementsApplied += 1;
        }
        return;
      }
      case 'poison':
        this.deadLetters.set(change.deadLetterKey, change.code);
    }
  }

  /** `expectedItems` after the live path's late applications of dead-lettered order items. */
  expectedItemsAfterLateLive(): Array<Record<string, unknown>> {
    return this.expectedItems().map((item) => ({
      ...item,
      stock_quantity: Number(item.stock_quantity) - (this.#lateLiveStock.get(Number(item.product_id)) ?? 0),
    }));
  }

  /** The table as the model predicts it, in the shape of a scanned item's seed attributes. */
  expectedItems(): Array<Record<string, unknown>> {
    return [...this.products]
      .sort(([a], [b]) => a - b)
      .map(([id, product]) => ({
        product_id: id,
        name: product.name,
        price: product.price,
        stock_quantity: product.stock,
        ...(product.description === null ? {} : { description: product.description }),
      }));
  }
}
