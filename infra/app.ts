import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InventoryStack } from './inventory-stack.js';
import { readStackConfigFromContext, StackConfigError } from './stack-config.js';

const synthesize = (): void => {
  // No auto-synthesis at exit (the CLI's default): a refused setting must leave no cloud assembly behind.
  const app = new App({ autoSynth: false });
  const config = readStackConfigFromContext(app.node.getAllContext());

  new InventoryStack(app, config.stackName, {
    description: 'inventory-cdc: Debezium CDC from Kafka into the inventory-realtime DynamoDB table',
    config,
    handlerEntry: fileURLToPath(new URL('../lambda/handler.ts', import.meta.url)),
    expiryHandlerEntry: fileURLToPath(new URL('../lambda/expiry-handler.ts', import.meta.url)),
    depsLockFilePath: fileURLToPath(new URL('../package-lock.json', import.meta.url)),
  });

  // Synthesis stops on any unacknowledged AwsSolutions finding.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
};

try {
  synthesize();
} catch (error) {
  // A bad setting is the operator's to fix: one line naming the key and the fix, no stack trace.
  if (!(error instanceof StackConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
