import type { InventoryChange, OrderItemCreated } from './changes.js';

/**
 * Pure: one change per product it moves. A line whose product changed gives its old quantity back to the
 * old product and takes the new one from the new: two effects of one committed change, each exactly once
 * by its own ledger entry (product, position, line), so they need no transaction between them.
 */
export const orderLineEffects = (change: InventoryChange): readonly InventoryChange[] => {
  if (change.type !== 'OrderItemCreated' || change.movedFrom === undefined) return [change];
  const { movedFrom, ...rest } = change;
  const giveBack: OrderItemCreated = {
    ...rest,
    productId: movedFrom.productId,
    quantity: -movedFrom.quantity,
    sharesRecord: true,
  };
  return [rest, giveBack];
};
