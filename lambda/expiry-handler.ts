import { loadConfig } from './config.js';
import { createExpiryHandler } from './create-expiry-handler.js';
import { createDynamoDbClient, createS3Client } from './store/clients.js';
import { createDeadLetterStore } from './store/dead-letter.js';
import { storeContextFrom } from './store/store-context-factory.js';
import { createLogger, createMetrics } from './telemetry/powertools.js';

// The ledger table's stream (TTL removals of pending order lines) → dead letters for products that never came.
const config = loadConfig(process.env);

export const handler = createExpiryHandler({
  store: storeContextFrom(createDynamoDbClient(config), config),
  deadLetters: createDeadLetterStore(createS3Client(config), config.deadLetterBucket),
  logger: createLogger(),
  metrics: createMetrics(),
});
