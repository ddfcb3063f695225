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

  apply(change: ModelChange): void {
    switch (change.kind) {
      case 'upsert': {
        const current = this.products.get(change.id);
        if (current === undefined || current.position < change.position) {
          const { name, price, stock, position } = change;
          const description = change.description === undefined ? (current?.description ?? null) : change.description;
          this.products.set(change.id, { name, description, price, stock, position });
        }
        return;
      }
      case 'delete': {
        const current = this.products.get(change.id);
        if (current === undefined || current.position < change.position) this.products.delete(change.id);
        return;
      }
      case 'decrement': {
        const product = this.products.get(change.productId);
        if (product === undefined) {
          this.deadLetters.set(change.deadLetterKey, 'UNKNOWN_PRODUCT');
          this.unknownProductOrders.set(change.deadLetterKey, { productId: change.productId, quantity: change.quantity });
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
