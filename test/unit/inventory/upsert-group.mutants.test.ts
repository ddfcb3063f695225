import { describe, expect, it } from 'vitest';
import type { ProductColumns } from '../../../lambda/inventory/changes.js';
import { mergeColumns } from '../../../lambda/inventory/upsert-group.js';

// A survivor of `npm run mutate`: the existing test's later change always carried a price.

describe('mergeColumns without a later price', () => {
  it('keeps the earlier price when the later change does not carry one', () => {
    // Arrange
    const earlier: ProductColumns = { name: 'Laptop', price: '10.00', stockQuantity: 5 };
    const later: ProductColumns = { name: 'Laptop Pro' };

    // Act
    const merged = mergeColumns(earlier, later);

    // Assert
    expect(merged).toEqual({ name: 'Laptop Pro', price: '10.00', stockQuantity: 5 });
  });
});
