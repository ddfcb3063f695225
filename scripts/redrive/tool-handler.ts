import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../lambda/config.js';
import { createHandler, type InvocationSummary } from '../../lambda/create-handler.js';
import type { KafkaEvent } from '../../lambda/decode/kafka-event.js';
import { createDeadLetterStore } from '../../lambda/store/dead-letter.js';
import { createInventoryStore } from '../../lambda/store/inventory-store.js';
import { storeContextFrom } from '../../lambda/store/store-context-factory.js';
import { createLogger, createMetrics } from '../../lambda/telemetry/powertools.js';
import { type CapturedTelemetry, captureTelemetry } from '../invoke/captured-telemetry.js';
import { createLambdaContext } from '../local/lambda-context.js';

/** What a tool needs to run the handler: an AwsConnection has it. */
export interface HandlerConnection {
  readonly config: Config;
  readonly dynamoDb: DynamoDBClient;
  readonly s3: S3Client;
}

export type ToolHandler = ReturnType<typeof createHandler>;

/**
 * The deployed handler as a tool runs it: middy with Powertools logger and metrics, the real DynamoDB
 * inventory store and the S3 dead-letter store, on the tool's connection. This is the wiring
 * `npm run invoke` does by hand (scripts/invoke/invoke.ts), which could call this instead.
 */
export const createToolHandler = (connection: HandlerConnection): ToolHandler => {
  const { config } = connection;
  return createHandler({
    config,
    logger: createLogger(),
    metrics: createMetrics(),
    store: createInventoryStore(storeContextFrom(connection.dynamoDb, config)),
    deadLetters: createDeadLetterStore(connection.s3, config.deadLetterBucket),
  });
};

export interface ToolInvocation {
  readonly outcome: { ok: true; value: InvocationSummary } | { ok: false; error: unknown };
  readonly telemetry: CapturedTelemetry;
  readonly elapsedMs: number;
}

/**
 * One invocation with a Lambda-like context of `timeoutMs`, its log and EMF lines captured instead of printed;
 * what the handler throws is returned, not thrown.
 */
export const invokeCaptured = async (
  handler: ToolHandler,
  event: KafkaEvent,
  timeoutMs: number,
): Promise<ToolInvocation> => {
  const started = performance.now();
  const context = createLambdaContext(timeoutMs);
  const { outcome, telemetry } = await captureTelemetry(
    () => handler(event, context) as Promise<InvocationSummary>,
  );
  return { outcome, telemetry, elapsedMs: Math.round(performance.now() - started) };
};
