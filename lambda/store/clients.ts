import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';

type ClientConfig = Pick<Config, 'region' | 'dynamoDbEndpoint' | 's3Endpoint'>;

/** Throttling and 5xx get a few more tries than the SDK default before the batch is failed for redelivery. */
const MAX_ATTEMPTS = 5;

export const createDynamoDbClient = (config: ClientConfig): DynamoDBClient =>
  new DynamoDBClient({
    region: config.region,
    maxAttempts: MAX_ATTEMPTS,
    ...(config.dynamoDbEndpoint === undefined ? {} : { endpoint: config.dynamoDbEndpoint }),
  });

/** A custom endpoint (s3rver, MinIO, LocalStack) needs path-style addressing and no default checksums. */
export const createS3Client = (config: ClientConfig): S3Client =>
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
  });
