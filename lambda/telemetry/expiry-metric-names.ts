/** Metrics of the ledger-expiry function (same namespace and service as the batch function's). */
export const ExpiryMetricName = {
  /** Pending order lines that expired after their product arrived: nothing to do. */
  EXPIRED_COUNTED: 'ExpiredOrderLinesCounted',
  /** Pending order lines whose product never arrived within the lag bound: dead-lettered. */
  EXPIRED_DEAD_LETTERED: 'ExpiredOrderLinesDeadLettered',
} as const;
export type ExpiryMetricName = (typeof ExpiryMetricName)[keyof typeof ExpiryMetricName];
