/** One order_items partition's watermarks on an item: the lowest and highest offsets applied live. */
export interface PartitionWatermarks {
  readonly first: number | undefined;
  readonly last: number | undefined;
}

/**
 * Whether the live path has applied the order item at `offset`. The live path applies each partition's
 * order items of one product in offset order, never skipping one while the item exists, and a delete
 * takes the watermarks with it; so every offset between the first and the last applied one was applied.
 * A dead letter inside that range was applied by a redelivery after its product appeared; one outside it
 * (typically below `first`: orders that arrived before their product) was not.
 */
export const wasAppliedLive = ({ first, last }: PartitionWatermarks, offset: number): boolean =>
  first !== undefined && last !== undefined && first <= offset && offset <= last;
