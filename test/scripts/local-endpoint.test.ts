import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../scripts/cli/run-cli.js';
import { cutoverMain } from '../../scripts/cutover/cutover.js';
import { inventoryMain } from '../../scripts/inventory/inventory.js';
import { invokeMain } from '../../scripts/invoke/invoke.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { replayMain } from '../../scripts/replay/replay.js';
import { capturingIo } from './support/postgres.js';
import { toolNamed } from './support/tool-definitions.js';

describe('--endpoint local creates nothing it was not asked to', () => {
  let aws: EmbeddedAws;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    await aws.createTable('inventory-realtime');
    await aws.createLedgerTable('inventory-realtime-ledger');
  });

  afterAll(async () => {
    await aws?.stop();
  });

  const tableNames = async () => (await aws.dynamoDb.send(new ListTablesCommand({}))).TableNames ?? [];
  const bucketNames = async () =>
    ((await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((bucket) => bucket.Name);

  it('inventory --table nosuch ends with one line and exit code 1, and no table nosuch', async () => {
    // Prepare
    const captured = capturingIo();

    // Act
    const code = await runCli(
      toolNamed('inventory'),
      (argv, io) => inventoryMain(argv, io, aws.env),
      ['--endpoint', 'local', '--table', 'nosuch'],
      captured.io,
    );

    // Assess
    expect(code).toBe(1);
    expect(captured.stderr()).toBe(
      `inventory: table nosuch does not exist at DynamoDB ${aws.dynamoDbEndpoint} (check --table or DYNAMODB_TABLE; nothing was created)\n`,
    );
    expect(captured.stdout()).toBe('');
    expect(await tableNames()).not.toContain('nosuch');
  });

  it('cutover --table python-table --dry-run ends with exit code 1 instead of "scanned 0"', async () => {
    // Prepare
    const captured = capturingIo();

    // Act
    const code = await runCli(
      toolNamed('cutover'),
      (argv, io) => cutoverMain(argv, io, aws.env),
      [
        '--endpoint',
        'local',
        '--table',
        'python-table',
        '--position',
        '1,2',
        '--stock-model',
        'products',
        '--dry-run',
      ],
      captured.io,
    );

    // Assess
    expect(code).toBe(1);
    expect(captured.stderr()).toMatch(/^cutover: table python-table does not exist at DynamoDB http:\S+ \(/);
    expect(captured.stderr().trimEnd().split('\n')).toHaveLength(1);
    expect(captured.stdout()).not.toContain('scanned');
    expect(await tableNames()).not.toContain('python-table');
  });

  it('replay with a missing dead-letter bucket ends with exit code 1, and no bucket made', async () => {
    // Prepare
    const captured = capturingIo();

    // Act
    const code = await runCli(
      toolNamed('replay'),
      (argv, io) => replayMain(argv, io, aws.env),
      ['--endpoint', 'local', '--bucket', 'no-such-letters', '--dry-run'],
      captured.io,
    );

    // Assess
    expect(code).toBe(1);
    expect(captured.stderr()).toBe(
      `replay: bucket no-such-letters does not exist at S3 ${aws.s3Endpoint} (check --bucket or DLQ_S3_BUCKET; nothing was created)\n`,
    );
    expect(await bucketNames()).not.toContain('no-such-letters');
  });

  it('invoke still sets up its table, ledger and bucket, as documented', async () => {
    // Prepare
    const captured = capturingIo();

    // Act
    const code = await runCli(
      toolNamed('invoke'),
      (argv, io) => invokeMain(argv, io, aws.env),
      ['events/products-create.json', '--table', 'invoked-here', '--bucket', 'invoked-letters'],
      captured.io,
    );

    // Assess
    expect(code).toBe(0);
    expect(await tableNames()).toEqual(expect.arrayContaining(['invoked-here', 'invoked-here-ledger']));
    expect(await bucketNames()).toContain('invoked-letters');
  });
});

describe('--endpoint local without a running npm run local', () => {
  it('says so in one line, exit code 1, instead of starting an empty stack', async () => {
    // Prepare
    const captured = capturingIo();
    const started = Date.now();

    // Act (INVENTORY_LOCAL_DIR points at a folder without a session: vitest.config.ts)
    const code = await runCli(
      toolNamed('inventory'),
      (argv, io) => inventoryMain(argv, io, {}),
      ['--endpoint', 'local'],
      captured.io,
    );

    // Assess
    expect(code).toBe(1);
    expect(captured.stderr()).toMatch(
      /^inventory: no local stack is running for \S+: start 'npm run local' in another terminal, .* or pass '--endpoint embedded' for an empty one for this run\n$/,
    );
    expect(captured.stdout()).toBe('');
    // Starting DynamoDB Local takes seconds: the refusal comes before anything starts.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('--endpoint embedded starts an empty one for the run when asked', async () => {
    // Prepare
    const captured = capturingIo();

    // Act
    const code = await runCli(
      toolNamed('inventory'),
      (argv, io) => inventoryMain(argv, io, {}),
      ['--endpoint', 'embedded'],
      captured.io,
    );

    // Assess
    expect(code).toBe(0);
    expect(captured.stdout()).toContain('embedded DynamoDB Local + s3rver (started for this run');
    expect(captured.stdout()).toContain(': 0 product(s)');
  });
});
