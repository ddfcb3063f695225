import { ErrorCode } from '../errors.js';
import { buildDeadLetter, type DeadLetterStore } from '../store/dead-letter.js';
import { readProduct } from '../store/product-reads.js';
import type { StoreContext } from '../store/store-context.js';
import type { ExpiredOrderLine } from './expired-entries.js';

export const ExpiryOutcome = {
  /** The product arrived (it exists, or it existed and was deleted later): the line counted in its life. */
  COUNTED: 'COUNTED',
  /** The product never arrived within the bound: the line is a dead letter now, replayable. */
  DEAD_LETTERED: 'DEAD_LETTERED',
} as const;
export type ExpiryOutcome = (typeof ExpiryOutcome)[keyof typeof ExpiryOutcome];

/**
 * An order line recorded while its product was absent has expired. If the product arrived since, its create
 * counted the line (or a later delete removed them both); if it never did, the line must not vanish with its
 * entry: it becomes an UNKNOWN_PRODUCT dead letter with the record as Kafka delivered it.
 */
export const settleExpiredOrderLine = async (
  context: StoreContext,
  deadLetters: DeadLetterStore,
  line: ExpiredOrderLine,
): Promise<ExpiryOutcome> => {
  const { stored } = await readProduct(context, line.productId);
  const arrived = stored.exists || (stored.deletedAt !== undefined && stored.deletedAt > line.position);
  if (arrived) return ExpiryOutcome.COUNTED;
  await deadLetters.put(
    buildDeadLetter(
      line.record,
      {
        code: ErrorCode.UNKNOWN_PRODUCT,
        message: `Product ${line.productId} did not arrive within the lag bound after this order line; replay once it exists`,
      },
      context.now(),
    ),
  );
  return ExpiryOutcome.DEAD_LETTERED;
};
