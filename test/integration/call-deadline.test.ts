import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { createLambdaContext } from '../../scripts/local/lambda-context.js';
import { startLocalService } from '../../scripts/local/local-service.js';
import { BASE_TS_MS, mskEvent, productRecordAt } from '../support/debezium.js';

/** A TCP server that accepts every connection and never answers: a blackholed DynamoDB. */
const startBlackhole = async (): Promise<{ endpoint: string; close: () => Promise<void> }> => {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};

describe('an AWS call that never answers', () => {
  let aws: EmbeddedAws;
  let blackhole: Awaited<ReturnType<typeof startBlackhole>>;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    blackhole = await startBlackhole();
  });

  afterAll(async () => {
    await blackhole.close();
    await aws.stop();
  });

  it('fails the invocation before its deadline, for redelivery, instead of running into Lambda’s timeout', async () => {
    // Prepare: the handler's DynamoDB is the blackhole; 2.5 s left and no write-start margin
    const service = await startLocalService({
      aws,
      env: {
        DYNAMODB_TABLE: 'deadline',
        DLQ_S3_BUCKET: 'deadline',
        TIME_BUDGET_MARGIN_MS: '0',
        AWS_ENDPOINT_URL_DYNAMODB: blackhole.endpoint,
      },
    });
    const row = { id: 1, name: 'Laptop', description: null, price: '1.00', stock_quantity: 5 };
    const event = mskEvent([productRecordAt('c', row, { lastCommit: null, lsn: 100, tsMs: BASE_TS_MS }, 0)]);
    const started = Date.now();

    // Act
    const outcome = await service.invoke(event, createLambdaContext(2_500)).catch((error: unknown) => error);

    // Assess
    const elapsed = Date.now() - started;
    expect(outcome).toMatchObject({ name: 'CallDeadlineError', code: 'TIME_BUDGET_EXHAUSTED' });
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(2_500);
    await service.stop();
  });
});
