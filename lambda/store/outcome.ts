export const Outcome = {
  APPLIED: 'APPLIED',
  /** This very change was applied before (redelivery). */
  DUPLICATE: 'DUPLICATE',
  /** The item already reflects a newer change of the same row. */
  STALE: 'STALE',
  /** A delete found nothing to remove. */
  ALREADY_ABSENT: 'ALREADY_ABSENT',
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** Writes re-read and retry when a condition fails for a reason that a fresh read shows no longer holds. */
export const MAX_CONDITION_RETRIES = 5;
