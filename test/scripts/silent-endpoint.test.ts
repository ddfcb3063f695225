import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExitCode } from '../../scripts/cli/errors.js';
import { type CliIo, runCli } from '../../scripts/cli/run-cli.js';
import { cutoverMain } from '../../scripts/cutover/cutover.js';
import { inventoryMain } from '../../scripts/inventory/inventory.js';
import { invokeMain } from '../../scripts/invoke/invoke.js';
import { reconcileMain } from '../../scripts/reconcile/reconcile.js';
import { redriveMain } from '../../scripts/redrive/redrive.js';
import { replayMain } from '../../scripts/replay/replay.js';
import { capturingIo, startTestPostgres, type TestPostgres } from './support/postgres.js';
import { toolNamed } from './support/tool-definitions.js';

const run = promisify(execFile);

type Env = Readonly<Record<string, string | undefined>>;
// biome-ignore lint/suspicious/noConfusingVoidType: the tools' mains as they are (some return nothing)
type Main = (argv: readonly string[], io: CliIo, env: Env) => Promise<void | ExitCode>;

/** Accepts every connection and never answers: a blackholed endpoint, the hardest kind to notice. */
const startSilentListener = async (): Promise<{ url: string; port: number; close(): Promise<void> }> => {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};

describe('a tool ends on a silent endpoint with one line and exit code 1', () => {
  let silent: Awaited<ReturnType<typeof startSilentListener>>;
  let postgres: TestPostgres;
  let env: Env;

  beforeAll(async () => {
    [silent, postgres] = await Promise.all([startSilentListener(), startTestPostgres()]);
    env = {
      AWS_ENDPOINT_URL_DYNAMODB: silent.url,
      AWS_ENDPOINT_URL_S3: silent.url,
      // Short, so that six tools take seconds; the default is checked once below.
      INVENTORY_CALL_TIMEOUT_SECONDS: '1',
    };
  });

  afterAll(async () => {
    await Promise.all([silent?.close(), postgres?.stop()]);
  });

  const silentPostgres = () => `postgres://postgres:postgres@127.0.0.1:${silent.port}/shop`;

  it.each<[string, Main, () => string[], RegExp]>([
    ['invoke', invokeMain, () => ['events/products-create.json'], /^invoke: AWS call failed: DynamoDB /],
    ['inventory', inventoryMain, () => ['--endpoint', 'local'], /^inventory: AWS call failed: DynamoDB /],
    ['replay', replayMain, () => ['--endpoint', 'local', '--dry-run'], /^replay: AWS call failed: /],
    ['redrive', redriveMain, () => ['--endpoint', 'local', '--dry-run'], /^redrive: AWS call failed: /],
    [
      'reconcile',
      reconcileMain,
      () => ['--endpoint', 'local', '--postgres', postgres.url],
      /^reconcile: AWS call failed: DynamoDB /,
    ],
    [
      'cutover',
      cutoverMain,
      () => ['--endpoint', 'local', '--position', '1,2', '--stock-model', 'products', '--dry-run'],
      /^cutover: AWS call failed: DynamoDB /,
    ],
    [
      'reconcile',
      reconcileMain,
      () => ['--endpoint', 'local', '--postgres', silentPostgres()],
      /^reconcile: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/shop: no answer within 1 s/,
    ],
    [
      'cutover',
      cutoverMain,
      () => [
        '--endpoint',
        'local',
        '--position',
        '1,2',
        '--stock-model',
        'ledger',
        '--postgres',
        silentPostgres(),
      ],
      /^cutover: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/shop: no answer within 1 s/,
    ],
  ])('%s (%#)', async (name, main, argv, message) => {
    // Prepare
    const captured = capturingIo();
    const started = Date.now();

    // Act
    const code = await runCli(toolNamed(name), (args, io) => main(args, io, env), argv(), captured.io);

    // Assess
    expect(code).toBe(1);
    const lines = captured.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toContain('INVENTORY_CALL_TIMEOUT_SECONDS');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('with the default timeout, a tool run as a user runs it ends within 30 s', async () => {
    // Prepare
    const started = Date.now();
    const { INVENTORY_CALL_TIMEOUT_SECONDS: _short, ...withDefault } = env;

    // Act
    const result = await run('npx', ['tsx', 'scripts/inventory.ts', '--endpoint', 'local'], {
      env: { ...process.env, ...withDefault },
      timeout: 45_000,
    }).then(
      () => ({ code: 0, stderr: '', killed: false }),
      (error: { code?: number; stderr: string; killed?: boolean }) => ({
        code: error.code,
        stderr: error.stderr,
        killed: error.killed === true,
      }),
    );

    // Assess
    expect(result.killed).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^inventory: AWS call failed: DynamoDB \w+ got no answer from .* within 15 s/),
    ]);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it('refuses a call timeout that is not a number of seconds, before opening anything', async () => {
    // Prepare
    const captured = capturingIo();

    // Act
    const code = await runCli(
      toolNamed('inventory'),
      (args, io) => inventoryMain(args, io, { ...env, INVENTORY_CALL_TIMEOUT_SECONDS: 'soon' }),
      ['--endpoint', 'local'],
      captured.io,
    );

    // Assess
    expect(code).toBe(2);
    expect(captured.stderr().split('\n')[0]).toBe(
      'inventory: environment: INVENTORY_CALL_TIMEOUT_SECONDS: expected seconds in (0, 3600], got "soon" (see npm run inventory -- --help)',
    );
  });
});
