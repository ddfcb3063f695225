import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

export interface InventoryTableProps {
  /** Physical table name; the seed service used `inventory-realtime`. */
  readonly tableName: string;
}

/**
 * The materialized inventory view, keyed by `product_id` (Number).
 *
 * It is retained and deletion-protected: other systems read it, and rebuilding it means replaying
 * both topics from the beginning. README's Deploy section explains how to remove it on purpose.
 */
export class InventoryTable extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: InventoryTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: 'product_id', type: AttributeType.NUMBER },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
