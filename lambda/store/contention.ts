import { WriteContentionError } from '../errors.js';
import { millisecondsBeforeCallDeadline } from './call-deadline.js';

/**
 * How a write that lost a race tries again. Order lines are commutative `ADD`s and never refuse each
 * other; what remains is DynamoDB cancelling one of two transactions that touch one item at the same moment
 * (`TransactionConflict`), and a count or delete that moved between a read and its compare-and-set. Both
 * are retried here, inside the invocation: failing it would redeliver the whole batch and delay every other
 * product in it. Bounded by attempts and by the invocation's call deadline, with full jitter so that the
 * writers of one hot product spread out instead of colliding again in step.
 */
export const ContentionPolicy = {
  /**
   * A ceiling for a pathological case: the call deadline is the real bound. The bench measured 12.6
   * attempts per commit with 200 invocations of one product in flight at once.
   */
  MAX_ATTEMPTS: 200,
  BASE_DELAY_MS: 4,
  MAX_DELAY_MS: 250,
  /** No retry starts closer than this to the invocation's call deadline. */
  DEADLINE_RESERVE_MS: 500,
} as const;

/** Full jitter: a pause drawn from [0, min(cap, base·2^attempt)). */
export const jitteredDelayMs = (attempt: number, random: () => number = Math.random): number =>
  random() * Math.min(ContentionPolicy.MAX_DELAY_MS, ContentionPolicy.BASE_DELAY_MS * 2 ** attempt);

/**
 * Waits before attempt `attempt + 1` of a write on `productId`, or throws WriteContentionError when the
 * attempts are spent or the pause would run into the invocation's deadline (the mapping then redelivers,
 * which is always safe).
 */
export const pauseBeforeRetry = async (productId: number, attempt: number): Promise<void> => {
  const delay = jitteredDelayMs(attempt);
  const left = millisecondsBeforeCallDeadline();
  if (attempt + 1 >= ContentionPolicy.MAX_ATTEMPTS || left < delay + ContentionPolicy.DEADLINE_RESERVE_MS) {
    throw new WriteContentionError(productId, attempt + 1);
  }
  await new Promise((resolve) => setTimeout(resolve, delay));
};

/** Whether a cancellation code or error name says another transaction held the item at that moment. */
export const isTransactionConflict = (codeOrName: string | undefined): boolean =>
  codeOrName === 'TransactionConflict' || codeOrName === 'TransactionConflictException';
