import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InventoryStack } from './inventory-stack.js';
import { readStackConfig } from './stack-config.js';

const app = new App();
const config = readStackConfig((key) => app.node.tryGetContext(key));

new InventoryStack(app, 'InventoryService', {
  description: 'inventory-cdc: Debezium CDC from Kafka into the inventory-realtime DynamoDB table',
  config,
  handlerEntry: fileURLToPath(new URL('../lambda/handler.ts', import.meta.url)),
  expiryHandlerEntry: fileURLToPath(new URL('../lambda/expiry-handler.ts', import.meta.url)),
  depsLockFilePath: fileURLToPath(new URL('../package-lock.json', import.meta.url)),
});

// Synthesis stops on any unacknowledged AwsSolutions finding.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
