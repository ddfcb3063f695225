import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';

type ClientConfig = Pick<Config, 'region' | 'dynamoDbEndpoint' | 's3Endpoint'>;

/** Throttling and 5xx get a few more tries than the SDK default before the batch is failed for redelivery. */
const MAX_ATTEMPTS = 5;

/** `extra` lets local tools and tests add credentials or middleware-free settings without a second factory. */
export const createDynamoDbClient = (
  config: ClientConfig,
  extra: DynamoDBClientConfig = {},
): DynamoDBClient =>
  new DynamoDBClient({
    region: config.region,
    maxAttempts: MAX_ATTEMPTS,
    ...(config.dynamoDbEndpoint === undefined ? {} : { endpoint: config.dynamoDbEndpoint }),
    ...extra,
  });

/** A custom endpoint (s3rver, MinIO, LocalStack) needs path-style addressing and no default checksums. */
export const createS3Client = (config: ClientConfig, extra: S3ClientConfig = {}): S3Client =>
  new S3Client({
    region: config.region,
    maxAttempts: MAX_ATTEMPTS,
    ...(config.s3Endpoint === undefined
      ? {}
      : {
          endpoint: config.s3Endpoint,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
    ...extra,
  });
