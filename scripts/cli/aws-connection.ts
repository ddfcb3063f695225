import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { type Config, loadConfig } from '../../lambda/config.js';
import { ConfigError } from '../../lambda/errors.js';
import { createDynamoDbClient, createS3Client } from '../../lambda/store/clients.js';
import { startEmbeddedAws } from '../local/embedded-aws.js';
import { findLocalSession, LOCAL_DIRECTORY } from '../local/local-session.js';
import { boundEachCall, CallTimeoutError, callTimeoutMs, requestHandlerWithin } from './call-timeout.js';
import { CliError, ExitCode, UsageError } from './errors.js';
import { ensureLocalResources, requireLocalResources } from './local-resources.js';

/** Where a tool's DynamoDB and S3 calls go. */
export const Endpoint = {
  /** AWS_ENDPOINT_URL_* from the environment if set, else the running `npm run local`; never an empty one. */
  LOCAL: 'local',
  /** DynamoDB Local (a child JVM) and s3rver started for this run only: empty at start, gone at exit. */
  EMBEDDED: 'embedded',
  /** Real AWS through the standard credential chain (profile, SSO, env, instance role). */
  AWS: 'aws',
} as const;
export type Endpoint = (typeof Endpoint)[keyof typeof Endpoint];

/** The bucket local runs use when neither --bucket nor DLQ_S3_BUCKET names one (as scripts/local does). */
export const LOCAL_BUCKET = 'inventory-dlq-local';
/** s3rver accepts only these; DynamoDB Local accepts any. */
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

type Env = Readonly<Record<string, string | undefined>>;

export const parseEndpoint = (raw: string | undefined, fallback: Endpoint): Endpoint => {
  if (raw === undefined) return fallback;
  if (raw === Endpoint.LOCAL || raw === Endpoint.AWS || raw === Endpoint.EMBEDDED) return raw;
  throw new UsageError(`--endpoint must be local, embedded or aws, got '${raw}'`);
};

export interface AwsConnection {
  readonly endpoint: Endpoint;
  /** The function's own configuration, with the tool's --table / --bucket applied. */
  readonly config: Config;
  readonly dynamoDb: DynamoDBClient;
  readonly s3: S3Client;
  /** One line naming where the calls go, for the tool's first line of output. */
  readonly description: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly endpoint: Endpoint;
  readonly env: Env;
  readonly tableName?: string | undefined;
  readonly bucket?: string | undefined;
  /**
   * The tool runs the function: it needs the ledger table and the dead-letter bucket too, and without
   * --bucket or DLQ_S3_BUCKET it is a usage error on AWS.
   */
  readonly needsBucket: boolean;
  /**
   * Create the tables and bucket on a local endpoint when missing (invoke, the local stack's own first use).
   * Otherwise a missing one ends the tool with one line: a mistyped --table must not make an empty table.
   */
  readonly createMissing?: boolean;
}

const loadToolConfig = (env: Env): Config => {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`environment: ${error.message}`, { cause: error });
    throw error;
  }
};

const hasEndpointVariables = (env: Env): boolean =>
  [env.AWS_ENDPOINT_URL_DYNAMODB, env.AWS_ENDPOINT_URL_S3, env.AWS_ENDPOINT_URL].some(
    (value) => value !== undefined && value.trim() !== '',
  );

/**
 * The function's clients, with the tool's timeouts: every attempt has a connection and a request timeout,
 * and every call, its retries included, must answer within INVENTORY_CALL_TIMEOUT_SECONDS.
 */
const openClients = (
  config: Config,
  timeoutMs: number,
  credentials?: typeof LOCAL_CREDENTIALS,
): { dynamoDb: DynamoDBClient; s3: S3Client } => {
  const extra = {
    requestHandler: requestHandlerWithin(timeoutMs),
    ...(credentials === undefined ? {} : { credentials }),
  };
  const dynamoDb = createDynamoDbClient(config, extra);
  const s3 = createS3Client(config, extra);
  boundEachCall(dynamoDb, timeoutMs, config.dynamoDbEndpoint ?? `AWS ${config.region}`);
  boundEachCall(s3, timeoutMs, config.s3Endpoint ?? `AWS ${config.region}`);
  return { dynamoDb, s3 };
};

/** Opens the clients a tool needs, with the same configuration rules as the function. */
export const connect = async (options: ConnectOptions): Promise<AwsConnection> => {
  const { endpoint, env } = options;
  const timeoutMs = callTimeoutMs(env);
  const bucket = options.bucket ?? env.DLQ_S3_BUCKET;
  if (endpoint === Endpoint.AWS && options.needsBucket && (bucket === undefined || bucket === '')) {
    throw new UsageError('no dead-letter bucket: pass --bucket or set DLQ_S3_BUCKET');
  }
  const overrides = {
    ...(options.tableName === undefined ? {} : { DYNAMODB_TABLE: options.tableName }),
    DLQ_S3_BUCKET: bucket === undefined || bucket === '' ? LOCAL_BUCKET : bucket,
  };
  if (endpoint === Endpoint.AWS) {
    const config = loadToolConfig({ ...env, ...overrides });
    const { dynamoDb, s3 } = openClients(config, timeoutMs);
    return {
      endpoint,
      config,
      dynamoDb,
      s3,
      description: `AWS ${config.region} (standard credential chain)`,
      async close() {
        dynamoDb.destroy();
        s3.destroy();
      },
    };
  }
  // Local mode never signs with the shell's AWS credentials: s3rver refuses any but its own, and a local run
  // must not depend on what happens to be exported.
  const localEnv = {
    ...env,
    ...overrides,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
  // Settings are checked before anything is started, so a bad one ends the tool at once with one line.
  const external = endpoint === Endpoint.LOCAL && hasEndpointVariables(env);
  if (!external) loadToolConfig({ ...localEnv, AWS_ENDPOINT_URL: 'http://127.0.0.1:1' });
  // A running `npm run local` is used as it is; an empty one is started only when asked (--endpoint embedded):
  // quietly starting one would show an empty table as if it were the developer's data.
  const session = endpoint === Endpoint.LOCAL && !external ? await findLocalSession() : undefined;
  if (endpoint === Endpoint.LOCAL && !external && session === undefined) {
    throw new CliError(
      `no local stack is running for ${LOCAL_DIRECTORY}: start 'npm run local' in another terminal, ` +
        "set AWS_ENDPOINT_URL_DYNAMODB/AWS_ENDPOINT_URL_S3, or pass '--endpoint embedded' for an empty one for this run",
      ExitCode.FAILURE,
    );
  }
  const sessionEnv =
    session === undefined
      ? {}
      : { AWS_ENDPOINT_URL_DYNAMODB: session.dynamoDbEndpoint, AWS_ENDPOINT_URL_S3: session.s3Endpoint };
  const embedded = endpoint === Endpoint.EMBEDDED ? await startEmbeddedAws() : undefined;
  let dynamoDb: DynamoDBClient | undefined;
  let s3: S3Client | undefined;
  let config: Config;
  try {
    config = loadToolConfig({ ...localEnv, ...sessionEnv, ...(embedded?.env ?? {}), ...overrides });
    ({ dynamoDb, s3 } = openClients(config, timeoutMs, LOCAL_CREDENTIALS));
    // An embedded stack is this run's own and starts empty: its tables and bucket are the run's to make.
    if (embedded !== undefined || options.createMissing === true) {
      await ensureLocalResources(config, dynamoDb, s3);
    } else {
      await requireLocalResources(config, dynamoDb, s3, {
        runsFunction: options.needsBucket,
        where:
          session === undefined
            ? { dynamoDb: `DynamoDB ${config.dynamoDbEndpoint}`, s3: `S3 ${config.s3Endpoint}` }
            : { dynamoDb: `npm run local (pid ${session.pid})`, s3: `npm run local (pid ${session.pid})` },
      });
    }
  } catch (error) {
    dynamoDb?.destroy();
    s3?.destroy();
    await embedded?.stop();
    throw error;
  }
  return {
    endpoint,
    config,
    dynamoDb,
    s3,
    description:
      session !== undefined
        ? `npm run local (pid ${session.pid}): DynamoDB ${session.dynamoDbEndpoint}, S3 ${session.s3Endpoint}`
        : embedded === undefined
          ? `local endpoints DynamoDB ${config.dynamoDbEndpoint ?? '(SDK default)'}, S3 ${config.s3Endpoint ?? '(SDK default)'}`
          : 'embedded DynamoDB Local + s3rver (started for this run, empty at start, gone at exit)',
    async close() {
      dynamoDb.destroy();
      s3.destroy();
      await embedded?.stop();
    },
  };
};

const isAwsFailure = (error: unknown): error is Error =>
  error instanceof Error &&
  (error instanceof CallTimeoutError ||
    '$metadata' in error ||
    error.name === 'CredentialsProviderError' ||
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT'].includes((error as NodeJS.ErrnoException).code ?? ''));

/**
 * Runs a tool's AWS work; a failed AWS call (no credentials, access denied, endpoint down) becomes one
 * clear line and exit code 1 instead of a stack trace. Anything else is a bug and keeps its stack.
 */
const reportingAwsFailures = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (!isAwsFailure(error)) throw error;
    const what = error instanceof CallTimeoutError ? error.message : `${error.name}: ${error.message}`;
    throw new CliError(`AWS call failed: ${what.replace(/\s*\n\s*/g, ' ')}`, ExitCode.FAILURE, {
      cause: error,
    });
  }
};

/** Connects, runs `work`, always closes what it started; a failed AWS call becomes one line and exit code 1. */
export const withAwsConnection = <T>(
  options: ConnectOptions,
  work: (connection: AwsConnection) => Promise<T>,
): Promise<T> =>
  reportingAwsFailures(async () => {
    const connection = await connect(options);
    try {
      return await work(connection);
    } finally {
      await connection.close();
    }
  });
