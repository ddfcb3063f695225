import { describe, expect, it } from 'vitest';
import { LowStockTracker } from '../../../lambda/inventory/low-stock.js';

describe('LowStockTracker', () => {
  it('raises no alert while stock stays at or above the threshold', () => {
    // Prepare
    const tracker = new LowStockTracker(10);

    // Act
    tracker.observe(1001, 'Laptop', 45);
    tracker.observe(1002, 'Mouse', 10);

    // Assess
    expect(tracker.alerts()).toEqual([]);
  });

  it('raises one alert with product, name, stock and threshold when stock drops below', () => {
    // Prepare
    const tracker = new LowStockTracker(10);

    // Act
    tracker.observe(1001, 'Laptop', 9);

    // Assess
    expect(tracker.alerts()).toEqual([{ productId: 1001, name: 'Laptop', stock: 9, threshold: 10 }]);
  });

  it('alerts once per product, with the last stock seen', () => {
    // Prepare
    const tracker = new LowStockTracker(10);

    // Act
    tracker.observe(1001, 'Laptop', 9);
    tracker.observe(1001, 'Laptop', 4);
    tracker.observe(1001, 'Laptop', 2);

    // Assess
    expect(tracker.alerts()).toEqual([{ productId: 1001, name: 'Laptop', stock: 2, threshold: 10 }]);
  });

  it('drops the alert of a product that recovers above the threshold within the batch', () => {
    // Prepare
    const tracker = new LowStockTracker(10);
    tracker.observe(1001, 'Laptop', 3);

    // Act
    tracker.observe(1001, 'Laptop', 50);

    // Assess
    expect(tracker.alerts()).toEqual([]);
  });

  it('alerts again when a recovered product drops below once more', () => {
    // Prepare
    const tracker = new LowStockTracker(10);
    tracker.observe(1001, 'Laptop', 3);
    tracker.observe(1001, 'Laptop', 50);

    // Act
    tracker.observe(1001, 'Laptop', 7);

    // Assess
    expect(tracker.alerts()).toEqual([{ productId: 1001, name: 'Laptop', stock: 7, threshold: 10 }]);
  });

  it('ignores an observation without a stock value and keeps the earlier alert', () => {
    // Prepare
    const tracker = new LowStockTracker(10);
    tracker.observe(1001, 'Laptop', 3);

    // Act
    tracker.observe(1001, 'Laptop', undefined);

    // Assess
    expect(tracker.alerts()).toEqual([{ productId: 1001, name: 'Laptop', stock: 3, threshold: 10 }]);
  });

  it('keeps one alert per product for several products, including negative stock and unknown names', () => {
    // Prepare
    const tracker = new LowStockTracker(5);

    // Act
    tracker.observe(1, 'Cable', 4);
    tracker.observe(2, undefined, -3);
    tracker.observe(1, 'Cable', 1);

    // Assess
    expect(tracker.alerts()).toEqual([
      { productId: 1, name: 'Cable', stock: 1, threshold: 5 },
      { productId: 2, name: undefined, stock: -3, threshold: 5 },
    ]);
  });

  it('with threshold 0 alerts only on negative stock', () => {
    // Prepare
    const tracker = new LowStockTracker(0);

    // Act
    tracker.observe(1, 'A', 0);
    tracker.observe(2, 'B', -1);

    // Assess
    expect(tracker.alerts()).toEqual([{ productId: 2, name: 'B', stock: -1, threshold: 0 }]);
  });

  it('returns a copy, so callers cannot change the tracker', () => {
    // Prepare
    const tracker = new LowStockTracker(10);
    tracker.observe(1, 'A', 1);

    // Act
    tracker.alerts().pop();

    // Assess
    expect(tracker.alerts()).toHaveLength(1);
  });
});
