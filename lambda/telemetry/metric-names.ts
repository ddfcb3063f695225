/**
 * Every metric the function emits (EMF; namespace and `service` dimension from POWERTOOLS_METRICS_NAMESPACE and
 * POWERTOOLS_SERVICE_NAME, defaults below; telemetry/powertools.ts).
 */
export const MetricName = {
  RECORDS_PROCESSED: 'RecordsProcessed',
  PRODUCTS_UPSERTED: 'ProductsUpserted',
  PRODUCTS_DELETED: 'ProductsDeleted',
  STOCK_DECREMENTED: 'StockDecremented',
  LOW_STOCK_ALERTS: 'LowStockAlerts',
  DLQ_WRITES: 'DLQWrites',
  PROCESSING_ERRORS: 'ProcessingErrors',
  DUPLICATES_SKIPPED: 'DuplicatesSkipped',
  STALE_EVENTS_SKIPPED: 'StaleEventsSkipped',
  TOMBSTONES_SKIPPED: 'TombstonesSkipped',
  EVENTS_IGNORED: 'EventsIgnored',
  DYNAMODB_WRITES: 'DynamoDbWrites',
  /** Write attempts, the committed ones included: over DynamoDbWrites, the attempts per commit. */
  WRITE_ATTEMPTS: 'DynamoDbWriteAttempts',
  /** Order lines committed before the stock's last set: already in that count. */
  ORDER_LINES_IN_COUNT: 'OrderLinesInCount',
  /** Order lines whose product is not in the table yet: kept in the ledger until it arrives. */
  ORDER_LINES_PENDING: 'OrderLinesPending',
  /** Order-line edits and removals applied: the stock moved by the difference. */
  ORDER_LINE_EDITS: 'OrderLineEdits',
  /**
   * Order-line edits whose old quantity is unknown (a removal without a before image, an update of a line
   * the ledger does not remember): the stock was left as it was; `npm run reconcile` finds the product.
   */
  ORDER_LINE_EDITS_UNKNOWN: 'OrderLineEditsUnknown',
  /** Changes older than LAG_BOUND_HOURS: the products they name may be off. */
  BEYOND_LAG_BOUND: 'ChangesBeyondLagBound',
  /** TRUNCATE of order_items: no stock effect in any model; a WARN names the topic and position. */
  TRUNCATES_IGNORED: 'TruncatesIgnored',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export const METRICS_NAMESPACE = 'InventoryService';
export const SERVICE_NAME = 'inventory-service';
