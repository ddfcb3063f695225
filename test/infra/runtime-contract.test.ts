import { describe, expect, it } from 'vitest';
import { HANDLER_METRICS } from '../../infra/constructs/inventory-metrics.js';
import { LEDGER_ATTRIBUTES } from '../../infra/constructs/ledger-table.js';
import { CONFIG_DEFAULTS, LEDGER_TABLE_SUFFIX, STOCK_MODELS } from '../../infra/stack-config.js';
import { DEFAULTS, loadConfig } from '../../lambda/config.js';
import { STOCK_MODELS as RUNTIME_STOCK_MODELS } from '../../lambda/inventory/stock-model.js';
import {
  LEDGER_KEY_SCHEMA,
  LEDGER_TTL_ATTRIBUTE,
  LedgerAttr,
  LEDGER_TABLE_SUFFIX as RUNTIME_LEDGER_TABLE_SUFFIX,
} from '../../lambda/store/ledger-attributes.js';
import { MetricName } from '../../lambda/telemetry/metric-names.js';
import { telemetryIdentity } from '../../lambda/telemetry/powertools.js';
import { type StackContext, templateFor } from './stack-fixture.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The function's environment with every `{ Ref }` to a table replaced by that table's physical name. */
const deployedEnvironment = (context: StackContext): Record<string, string> => {
  const template = templateFor(context);
  const tables = template.findResources('AWS::DynamoDB::Table') as Resources;
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
  const variables = fn?.Properties.Environment.Variables as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const ref = (value as { Ref?: string }).Ref ?? '';
      return [name, String(tables[ref]?.Properties.TableName ?? `<${ref}>`)];
    }),
  );
};

// infra refers to the Lambda code by path only and keeps its own copies of what the two share;
// these checks fail when one side changes without the other.
describe('infra and the runtime agree', () => {
  it('on the ledger table key schema, TTL attribute and default name', () => {
    // Prepare
    const template = templateFor({});

    // Act
    const ledger = template.findResources('AWS::DynamoDB::Table', {
      Properties: { TableName: `${CONFIG_DEFAULTS.tableName}${LEDGER_TABLE_SUFFIX}` },
    });
    const [properties] = Object.values(ledger).map((table) => table.Properties);

    // Assess
    expect(properties?.KeySchema).toEqual(LEDGER_KEY_SCHEMA.KeySchema);
    expect(properties?.AttributeDefinitions).toEqual(LEDGER_KEY_SCHEMA.AttributeDefinitions);
    expect(properties?.TimeToLiveSpecification).toEqual({
      AttributeName: LEDGER_TTL_ATTRIBUTE,
      Enabled: true,
    });
    expect(LEDGER_ATTRIBUTES).toEqual({
      partitionKey: LedgerAttr.PRODUCT_ID,
      sortKey: LedgerAttr.ENTRY,
      timeToLive: LEDGER_TTL_ATTRIBUTE,
      pending: LedgerAttr.PENDING,
    });
    expect(LEDGER_TABLE_SUFFIX).toBe(RUNTIME_LEDGER_TABLE_SUFFIX);
  });

  it('on the stock models and the defaults of the new settings', () => {
    // Assess
    expect([...STOCK_MODELS]).toEqual([...RUNTIME_STOCK_MODELS]);
    expect({
      tableName: CONFIG_DEFAULTS.tableName,
      stockModel: CONFIG_DEFAULTS.stockModel,
      sourceEpoch: CONFIG_DEFAULTS.sourceEpoch,
      epochHeader: CONFIG_DEFAULTS.epochHeader,
      lagBoundHours: CONFIG_DEFAULTS.lagBoundHours,
    }).toEqual({
      tableName: DEFAULTS.tableName,
      stockModel: DEFAULTS.stockModel,
      sourceEpoch: DEFAULTS.sourceEpoch,
      epochHeader: DEFAULTS.epochHeader,
      lagBoundHours: DEFAULTS.lagBoundHours,
    });
  });

  it('on every metric the handler emits', () => {
    // Assess
    expect([...HANDLER_METRICS].sort()).toEqual(Object.values(MetricName).sort());
  });

  it.each<[string, StackContext]>([
    ['defaults', {}],
    [
      'every new key set at its limit',
      {
        tableName: 'stock-eu',
        ledgerTableName: 'stock-eu-bookkeeping',
        stockModel: 'ledger',
        sourceEpoch: '65535',
        epochHeader: 'shop.cdc.epoch',
        lagBoundHours: '87600',
      },
    ],
  ])('on the environment the stack deploys (%s): the handler loads it as configured', (_case, context) => {
    // Prepare
    const environment = deployedEnvironment(context);

    // Act
    const config = loadConfig(environment);

    // Assess
    expect(config).toMatchObject({
      tableName: context.tableName ?? 'inventory-realtime',
      ledgerTableName: context.ledgerTableName ?? 'inventory-realtime-ledger',
      stockModel: context.stockModel ?? 'orders',
      sourceEpoch: Number(context.sourceEpoch ?? 0),
      epochHeader: context.epochHeader ?? 'cdc.epoch',
      lagBoundHours: Number(context.lagBoundHours ?? 192),
    });
    expect(config.deadLetterBucket).not.toBe('');
  });
});

describe('infra and the runtime agree on where the metrics are', () => {
  it.each<[string, StackContext]>([
    ['no stage', {}],
    ['stage qa', { stage: 'qa' }],
  ])('(%s): the handler publishes under the namespace and service the alarms read', (_case, context) => {
    // Prepare
    const template = templateFor(context);
    const alarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: MetricName.DLQ_WRITES } }),
    ) as Array<{ Properties: { Namespace: string; Dimensions: Array<{ Name: string; Value: string }> } }>;

    // Act
    const runtime = telemetryIdentity(deployedEnvironment(context));

    // Assess
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties.Namespace).toBe(runtime.namespace);
    expect(alarms[0]?.Properties.Dimensions).toEqual([{ Name: 'service', Value: runtime.serviceName }]);
    expect(runtime.serviceName).toBe(
      context.stage === undefined ? 'inventory-service' : 'inventory-service-qa',
    );
  });
});

describe('the tests run on the runtime the function deploys on', () => {
  it('is Node 22, as the nodejs22.x Lambda runtime (the `node` devDependency puts it first on npm scripts)', () => {
    // Prepare
    const template = templateFor({});
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: { Runtime: string };
    }>;

    // Act
    const major = process.versions.node.split('.')[0];

    // Assess
    expect(fn?.Properties.Runtime).toBe('nodejs22.x');
    expect(`nodejs${major}.x`).toBe(fn?.Properties.Runtime);
  });
});
