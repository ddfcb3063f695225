import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * The ledger's key and expiry attributes, and the flag of order lines recorded while their product was absent
 * (the expiry filter matches it). infra refers to the Lambda code by path only, so these mirror
 * lambda/store/ledger-attributes.ts (LedgerAttr, LEDGER_TTL_ATTRIBUTE); test/infra checks they still agree.
 */
export const LEDGER_ATTRIBUTES = {
  partitionKey: 'product_id',
  sortKey: 'entry',
  timeToLive: 'expires_at',
  pending: 'pending',
} as const;

export interface LedgerTableProps {
  /** Physical table name; by default the inventory table's with `-ledger` appended. */
  readonly tableName: string;
}

/**
 * What the function must remember and readers of the inventory must not see: per product a head item (the
 * latest delete's position, kept for good, and a version) and one entry per order line, keyed by
 * `product_id` (Number) and `entry` (String). Order-line entries carry `expires_at`, which TTL removes once
 * the lag bound has passed; heads have none and stay.
 *
 * Its stream carries old images only: the expiry function (ledger-stream-source.ts) needs the entry TTL
 * removed, never what replaced it.
 *
 * Retained and deletion-protected like the inventory table: without the heads a late change could bring a
 * deleted product back, and without the entries a redelivered order line would be subtracted twice.
 */
export class LedgerTable extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: LedgerTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: LEDGER_ATTRIBUTES.partitionKey, type: AttributeType.NUMBER },
      sortKey: { name: LEDGER_ATTRIBUTES.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: LEDGER_ATTRIBUTES.timeToLive,
      stream: StreamViewType.OLD_IMAGE,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
