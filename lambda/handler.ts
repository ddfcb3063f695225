import { loadConfig } from './config.js';
import { createHandler } from './create-handler.js';
import { createDynamoDbClient, createS3Client } from './store/clients.js';
import { createDeadLetterStore } from './store/dead-letter.js';
import { createInventoryStore } from './store/inventory-store.js';
import { storeContextFrom } from './store/store-context-factory.js';
import { createLogger, createMetrics } from './telemetry/powertools.js';

// Module scope runs once per execution environment: configuration is validated here so a misconfigured
// function fails at init with a message naming the variable, and SDK clients are reused across invocations.
const config = loadConfig(process.env);
const logger = createLogger();
const metrics = createMetrics();

/**
 * Lambda sends SIGTERM before it shuts down a runtime that has an extension registered: flush what is
 * buffered so the last invocation's metrics and logs are not lost. Offsets are committed by the mapping
 * only after a successful invocation, so there is nothing else to hand back.
 */
process.on('SIGTERM', () => {
  metrics.publishStoredMetrics();
  logger.info('SIGTERM received: metrics flushed, shutting down');
  process.exit(0);
});

export const handler = createHandler({
  config,
  logger,
  metrics,
  store: createInventoryStore(storeContextFrom(createDynamoDbClient(config), config)),
  deadLetters: createDeadLetterStore(createS3Client(config), config.deadLetterBucket),
});
