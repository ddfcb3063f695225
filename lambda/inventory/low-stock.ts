export interface LowStockAlert {
  readonly productId: number;
  readonly name: string | undefined;
  readonly stock: number;
  readonly threshold: number;
}

/** Collects products left below the threshold by this batch's decrements; one alert per product per batch. */
export class LowStockTracker {
  readonly #threshold: number;
  readonly #latest = new Map<number, LowStockAlert>();

  constructor(threshold: number) {
    this.#threshold = threshold;
  }

  observe(productId: number, name: string | undefined, stock: number | undefined): void {
    if (stock === undefined) return;
    if (stock < this.#threshold) {
      this.#latest.set(productId, { productId, name, stock, threshold: this.#threshold });
    } else {
      this.#latest.delete(productId);
    }
  }

  alerts(): LowStockAlert[] {
    return [...this.#latest.values()];
  }
}
