import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { InventoryStack } from '../../infra/inventory-stack.js';
import { type ContextKey, readStackConfigFromContext } from '../../infra/stack-config.js';

export const HANDLER_ENTRY = fileURLToPath(new URL('../../lambda/handler.ts', import.meta.url));
export const EXPIRY_HANDLER_ENTRY = fileURLToPath(new URL('../../lambda/expiry-handler.ts', import.meta.url));
export const LOCKFILE = fileURLToPath(new URL('../../package-lock.json', import.meta.url));

export const MSK_CLUSTER_ARN =
  'arn:aws:kafka:us-east-1:123456789012:cluster/cdc-platform/abcd1234-abcd-cafe-abab-9876543210ab-4';
export const KAFKA_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-scram-AbCdEf';

export const MSK_CONTEXT = { mskClusterArn: MSK_CLUSTER_ARN } as const;
export const SELF_MANAGED_CONTEXT = {
  bootstrapServers: 'b-1.kafka.example.com:9096,b-2.kafka.example.com:9096',
  kafkaSecretArn: KAFKA_SECRET_ARN,
  kafkaSubnetIds: 'subnet-0aaa,subnet-0bbb',
  kafkaSecurityGroupId: 'sg-0ccc',
} as const;

export type StackContext = Partial<Record<ContextKey, string>>;

/** Context as a user may type it, misspelt keys included. */
export type AnyContext = Readonly<Record<string, string>>;

export interface BuildOptions {
  /** Run esbuild for the function asset; off by default to keep tests fast. */
  readonly bundle?: boolean;
  /** Context the CDK CLI would add itself, such as `aws:cdk:enable-asset-metadata`. */
  readonly cliContext?: Readonly<Record<string, unknown>>;
}

/** Cloud assembly folders of this test file, removed after its tests (each file imports this module anew). */
const outdirs: string[] = [];
afterAll(() => {
  for (const directory of outdirs.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A fresh folder for an App's cloud assembly, removed after the test file (an App without one leaks cdk.out*). */
export const throwawayOutdir = (): string => {
  const directory = mkdtempSync(join(tmpdir(), 'inventory-cdk-'));
  outdirs.push(directory);
  return directory;
};

/** Builds the stack the way infra/app.ts does, from context, into a throwaway cloud assembly dir. */
export const buildStack = (context: StackContext | AnyContext = {}, options: BuildOptions = {}) => {
  const app = new App({
    outdir: throwawayOutdir(),
    context: {
      ...options.cliContext,
      ...context,
      ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const config = readStackConfigFromContext(app.node.getAllContext());
  const stack = new InventoryStack(app, config.stackName, {
    config,
    handlerEntry: HANDLER_ENTRY,
    expiryHandlerEntry: EXPIRY_HANDLER_ENTRY,
    depsLockFilePath: LOCKFILE,
  });
  return { app, stack };
};

export const templateFor = (context: StackContext = {}): Template =>
  Template.fromStack(buildStack(context).stack);

/** Every IAM action string in the template, from identity policies and role inline policies. */
export const allPolicyActions = (template: Template): string[] => {
  const actions: string[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    for (const statement of policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]) {
      actions.push(...[statement.Action].flat());
    }
  }
  return actions;
};
