import { AsyncLocalStorage } from 'node:async_hooks';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { INVENTORY_KEY_SCHEMA } from '../../lambda/store/attributes.js';
import { LEDGER_KEY_SCHEMA } from '../../lambda/store/ledger-attributes.js';
import { cleanUpWithJvms, startDynamoDbLocal } from './dynamodb-local.js';
import { keyTurns } from './key-turns.js';

/** s3rver's own error class: thrown from its store, it becomes the S3 XML error response with its status. */
const S3Error = createRequire(import.meta.url)('s3rver/lib/models/error.js') as new (
  code: string,
  message: string,
  detail?: Record<string, string>,
) => Error;

/** AWS's DynamoDB Local (a child JVM) and in-process S3 (s3rver) on loopback ports; no Docker, no network. */
export interface EmbeddedAws {
  readonly dynamoDbEndpoint: string;
  readonly s3Endpoint: string;
  /** The DynamoDB Local JVM's process id. */
  readonly dynamoDbPid: number;
  /** Settles when DynamoDB Local has ended, stopped or killed: a long-lived stack stops with it. */
  readonly dynamoDbExited: Promise<void>;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly dynamoDb: DynamoDBClient;
  readonly s3: S3Client;
  /** Environment for anything that reads the standard SDK variables (the handler, the tools). */
  readonly env: Readonly<Record<string, string>>;
  createTable(name: string): Promise<void>;
  /** The bookkeeping table next to the inventory table (see lambda/store/ledger-attributes.ts). */
  createLedgerTable(name: string): Promise<void>;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
/** s3rver accepts only these; DynamoDB Local runs with -sharedDb, so any credentials see the same tables. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

interface S3rverObject {
  content: Readable | null;
}

interface S3rverStore {
  putObject(object: {
    bucket: string;
    key: string;
    content?: Readable;
  }): Promise<{ size: number; md5: string }>;
  getObject(bucket: string, key: string, options?: unknown): Promise<S3rverObject | null>;
  copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    ...rest: unknown[]
  ): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<void>;
  getResourcePath(bucket: string, key: string, kind: 'object'): string;
}

const readWhole = async (content: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * Gives s3rver what real S3 promises: a PUT is atomic and visible once acknowledged, so a GET returns the
 * old object or the new one whole. s3rver falls short twice. It acknowledges a PutObject once it has hashed
 * the body, before its file stream has flushed (lib/stores/filesystem.js resolves on the hashing stream's
 * 'finish'); and it rewrites the file in place while a GET of the same key may be streaming it (the handler
 * rewriting a dead letter that replay is reading). Either way the response ends before its Content-Length
 * ("aborted", ECONNRESET) or parses as truncated JSON. Here every object operation takes its key's turn, a
 * PUT ends only once the file is on disk, and a GET reads the whole object within its turn.
 */
const makeObjectsAtomic = (server: S3rver): void => {
  const store = (server as unknown as { store: S3rverStore }).store;
  const turns = keyTurns();
  const idOf = (bucket: string, key: string): string => `${bucket}/${key}`;
  const putObject = store.putObject.bind(store);
  const getObject = store.getObject.bind(store);
  const copyObject = store.copyObject.bind(store);
  const deleteObject = store.deleteObject.bind(store);
  store.putObject = (object) =>
    turns.run([idOf(object.bucket, object.key)], async () => {
      if (
        conditionalPut.getStore() === true &&
        (await exists(store.getResourcePath(object.bucket, object.key, 'object')))
      ) {
        // Read the body first, as S3 does: answering while the client still sends it resets the connection.
        await drain(object.content);
        throw new S3Error(
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          {
            Condition: 'If-None-Match',
          },
        );
      }
      const result = await putObject(object);
      const path = store.getResourcePath(object.bucket, object.key, 'object');
      while ((await stat(path)).size < result.size) await new Promise((resolve) => setTimeout(resolve, 1));
      return result;
    });
  store.getObject = (bucket, key, options) =>
    turns.run([idOf(bucket, key)], async () => {
      const object = await getObject(bucket, key, options);
      if (object?.content)
        object.content = Readable.from([await readWhole(object.content)], { objectMode: false });
      return object;
    });
  store.copyObject = (srcBucket, srcKey, destBucket, destKey, ...rest) =>
    turns.run([idOf(srcBucket, srcKey), idOf(destBucket, destKey)], () =>
      copyObject(srcBucket, srcKey, destBucket, destKey, ...rest),
    );
  store.deleteObject = (bucket, key) => turns.run([idOf(bucket, key)], () => deleteObject(bucket, key));
};

const drain = (content: Readable | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (content === undefined || content.readableEnded) {
      resolve();
      return;
    }
    content.once('end', () => resolve());
    content.once('error', () => resolve());
    content.resume();
  });

/** Set while a PUT with `If-None-Match: *` is handled: s3rver knows that header only on GET. */
const conditionalPut = new AsyncLocalStorage<boolean>();

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Real S3 refuses a PUT with `If-None-Match: *` when the key exists (412 PreconditionFailed); the dead-letter
 * store relies on it. The check runs inside the key's turn (makeObjectsAtomic), so it is atomic with the PUT.
 */
const supportConditionalPut = (server: S3rver): void => {
  const middleware = (
    server as unknown as { middleware: Array<(ctx: KoaContext, next: () => Promise<void>) => Promise<void>> }
  ).middleware;
  middleware.unshift((ctx, next) =>
    ctx.method === 'PUT' && ctx.headers['if-none-match'] === '*' ? conditionalPut.run(true, next) : next(),
  );
};

interface KoaContext {
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export interface EmbeddedAwsOptions {
  /** Keep DynamoDB's and S3's data under this folder (npm run local); a temporary folder when absent. */
  readonly dataDirectory?: string;
}

export const startEmbeddedAws = async (options: EmbeddedAwsOptions = {}): Promise<EmbeddedAws> => {
  const persistent = options.dataDirectory;
  if (persistent !== undefined) {
    await mkdir(join(persistent, 'dynamodb'), { recursive: true });
    await mkdir(join(persistent, 's3'), { recursive: true });
  }
  const dynamoServer = await startDynamoDbLocal(
    persistent === undefined ? {} : { dbPath: join(persistent, 'dynamodb') },
  );
  const s3Directory =
    persistent === undefined ? await mkdtemp(join(tmpdir(), 'inventory-cdc-s3-')) : join(persistent, 's3');
  const removeS3Directory = async () => {
    if (persistent === undefined) await rm(s3Directory, { recursive: true, force: true });
  };
  // Ctrl-C ends the process from dynamodb-local's signal handler: the temporary S3 folder goes with the JVM.
  const forgetS3Directory =
    persistent === undefined
      ? cleanUpWithJvms(() => rmSync(s3Directory, { recursive: true, force: true }))
      : () => {};
  const s3Server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Directory });
  makeObjectsAtomic(s3Server);
  supportConditionalPut(s3Server);
  let s3Port: number;
  try {
    ({ port: s3Port } = await s3Server.run());
  } catch (error) {
    await dynamoServer.stop();
    await removeS3Directory();
    forgetS3Directory();
    throw error;
  }

  const dynamoDbEndpoint = dynamoServer.endpoint;
  const s3Endpoint = `http://127.0.0.1:${s3Port}`;
  const dynamoDb = new DynamoDBClient({
    region: REGION,
    endpoint: dynamoDbEndpoint,
    credentials: CREDENTIALS,
  });
  const s3 = new S3Client({
    region: REGION,
    endpoint: s3Endpoint,
    credentials: CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  return {
    dynamoDbEndpoint,
    s3Endpoint,
    dynamoDbPid: dynamoServer.pid,
    dynamoDbExited: dynamoServer.exited,
    region: REGION,
    credentials: CREDENTIALS,
    dynamoDb,
    s3,
    env: {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint,
      AWS_ENDPOINT_URL_S3: s3Endpoint,
    },
    async createTable(name) {
      await dynamoDb.send(
        new CreateTableCommand({
          TableName: name,
          ...INVENTORY_KEY_SCHEMA,
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    async createLedgerTable(name) {
      await dynamoDb.send(
        new CreateTableCommand({ TableName: name, ...LEDGER_KEY_SCHEMA, BillingMode: 'PAY_PER_REQUEST' }),
      );
    },
    async createBucket(name) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    },
    async stop() {
      dynamoDb.destroy();
      s3.destroy();
      await Promise.all([dynamoServer.stop(), s3Server.close()]);
      await removeS3Directory();
      forgetS3Directory();
    },
  };
};
