import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { handlerFunction } from './handler-function.js';
import { bucketObjectsWildcardFinding } from './nag-findings.js';

/**
 * What the expiry handler does to either table: the consistent GetItem of a product's item and of its ledger
 * head (lambda/store/product-reads.ts, readProduct). It writes nothing to the inventory table.
 */
export const EXPIRY_TABLE_ACTIONS = ['dynamodb:GetItem'] as const;

/**
 * On the ledger table, also UpdateItem: before it decides, the expiry handler bumps the product's head
 * `version` (lambda/expiry/settle-expired.ts), so that a create still in flight sums the ledger again without
 * the removed entry. It touches nothing else there.
 */
export const EXPIRY_LEDGER_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;

/** Logical id kept stable so `sam local invoke` and events/sam-env.json can name the function. */
export const EXPIRY_FUNCTION_LOGICAL_ID = 'ExpiryFunction';

export interface ExpiryFunctionProps {
  /** Absolute path of the handler module (lambda/expiry-handler.ts). */
  readonly entry: string;
  /** Absolute path of the lockfile esbuild resolves dependencies against. */
  readonly depsLockFilePath: string;
  readonly table: ITable;
  readonly ledgerTable: ITable;
  readonly deadLetterBucket: IBucket;
  /**
   * The batch function's environment (InventoryFunction.environment): the handler loads the same
   * lambda/config.ts, so it gets the same variables, metrics namespace and service name.
   */
  readonly environment: Readonly<Record<string, string>>;
  readonly memorySizeMb: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
}

/**
 * The ledger stream's consumer: settles order lines that TTL removed while still pending (counted if the
 * product arrived since, an UNKNOWN_PRODUCT dead letter if it never did). Built like the batch function
 * (handler-function.ts), with a role of its own that can only read the two tables and add dead letters.
 * The stream read permissions belong to the mapping and live in LedgerStreamSource's policy.
 */
export class ExpiryFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: Role;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ExpiryFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'inventory-cdc expiry function: its own log group, reads of both tables, dead letters',
    });
    const runtimeAccess = new Policy(this, 'RuntimeAccess', {
      statements: [
        new PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
        new PolicyStatement({
          sid: 'ReadInventoryTable',
          actions: [...EXPIRY_TABLE_ACTIONS],
          resources: [props.table.tableArn],
        }),
        new PolicyStatement({
          sid: 'LedgerHead',
          actions: [...EXPIRY_LEDGER_ACTIONS],
          resources: [props.ledgerTable.tableArn],
        }),
        new PolicyStatement({
          sid: 'DeadLetters',
          // GetObject: a letter's conditional PUT refused (412) is read back to append its error history or
          // to tell another record's letter apart (lambda/store/dead-letter.ts).
          actions: ['s3:PutObject', 's3:GetObject'],
          resources: [props.deadLetterBucket.arnForObjects('*')],
        }),
      ],
    });
    runtimeAccess.attachToRole(this.role);
    Validations.of(runtimeAccess).acknowledge({
      id: bucketObjectsWildcardFinding(props.deadLetterBucket),
      reason:
        'Dead-letter keys are <topic>/<partition>/<offset>.json of the expired line’s record; the bucket is dedicated.',
    });

    this.function = handlerFunction(this, 'Handler', {
      entry: props.entry,
      depsLockFilePath: props.depsLockFilePath,
      description:
        'Dead-letters order lines whose product never arrived within the lag bound (ledger stream)',
      memorySizeMb: props.memorySizeMb,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      logicalId: EXPIRY_FUNCTION_LOGICAL_ID,
    });
    // The role's policy must exist before Lambda first assumes it.
    this.function.node.addDependency(runtimeAccess);
  }
}
