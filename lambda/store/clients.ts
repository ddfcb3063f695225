import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import { boundCallsByDeadline } from './call-deadline.js';

const withCallDeadline = <T extends { middlewareStack: unknown }>(client: T): T => {
  boundCallsByDeadline(client);
  return client;
};

type ClientConfig = Pick<Config, 'region' | 'dynamoDbEndpoint' | 's3Endpoint'>;

/** Throttling and 5xx get a few more tries than the SDK default before the batch is failed for redelivery. */
const MAX_ATTEMPTS = 5;

/**
 * A connection that does not open in 3 s, or a request that does not answer in 10 s, is abandoned and
 * retried; the invocation's deadline (call-deadline.ts) bounds the whole call, retries included.
 */
export const REQUEST_HANDLER = { connectionTimeout: 3_000, requestTimeout: 10_000 } as const;

/** `extra` lets local tools and tests add credentials or middleware-free settings without a second factory. */
export const createDynamoDbClient = (
  config: ClientConfig,
  extra: DynamoDBClientConfig = {},
): DynamoDBClient =>
  withCallDeadline(
    new DynamoDBClient({
      region: config.region,
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: REQUEST_HANDLER,
      ...(config.dynamoDbEndpoint === undefined ? {} : { endpoint: config.dynamoDbEndpoint }),
      ...extra,
    }),
  );

/** A custom endpoint (s3rver, MinIO, LocalStack) needs path-style addressing and no default checksums. */
export const createS3Client = (config: ClientConfig, extra: S3ClientConfig = {}): S3Client =>
  withCallDeadline(
    new S3Client({
      region: config.region,
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: REQUEST_HANDLER,
      ...(config.s3Endpoint === undefined
        ? {}
        : {
            endpoint: config.s3Endpoint,
            forcePathStyle: true,
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }),
      ...extra,
    }),
  );
