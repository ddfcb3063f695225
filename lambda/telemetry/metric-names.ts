/** Every metric the function emits (EMF, namespace from POWERTOOLS_METRICS_NAMESPACE, default InventoryService). */
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
  /** Order lines committed before the stock's last set: already in that count. */
  ORDER_LINES_IN_COUNT: 'OrderLinesInCount',
  /** Order lines whose product is not in the table yet: kept in the ledger until it arrives. */
  ORDER_LINES_PENDING: 'OrderLinesPending',
  /** Changes older than LAG_BOUND_HOURS: the products they name may be off. */
  BEYOND_LAG_BOUND: 'ChangesBeyondLagBound',
  /** TRUNCATE of order_items: no stock effect in any model; a WARN names the topic and position. */
  TRUNCATES_IGNORED: 'TruncatesIgnored',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export const METRICS_NAMESPACE = 'InventoryService';
export const SERVICE_NAME = 'inventory-service';
