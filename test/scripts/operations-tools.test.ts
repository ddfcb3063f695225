import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../scripts/cli/errors.js';
import { inventoryMain } from '../../scripts/inventory/inventory.js';
import { invokeMain } from '../../scripts/invoke/invoke.js';
import { groupMetrics } from '../../scripts/invoke/render.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import { replayMain } from '../../scripts/replay/replay.js';
import { LetterOutcome } from '../../scripts/replay/replay-letter.js';
import { ReplayProgress } from '../../scripts/replay/report.js';
import { recordingIo } from '../support/replay-harness.js';

describe('invoke, replay and inventory against a running local endpoint', () => {
  let service: LocalService;
  let env: Record<string, string>;

  beforeAll(async () => {
    service = await startLocalService({
      env: { DYNAMODB_TABLE: 'ops-tools', DLQ_S3_BUCKET: 'ops-tools-dlq' },
    });
    env = { ...service.aws.env, DYNAMODB_TABLE: 'ops-tools', DLQ_S3_BUCKET: 'ops-tools-dlq' };
  });

  afterAll(async () => {
    await service.stop();
  });

  it('invoke prints the result, the logs, the metrics grouped, and the table afterwards', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    await invokeMain(['events/products-snapshot.json'], io, env);

    // Assess
    const text = io.text();
    expect(text).toContain('invoke events/products-snapshot.json (dbserver1.public.products-0 ×4)');
    expect(text).toContain('Result: succeeded');
    // The sample events committed in January 2025: beyond the default lag bound of 192 h, so counted as such.
    expect(text).toContain(
      'counts (non-zero): RecordsProcessed 4, ProductsUpserted 4, LowStockAlerts 1, DynamoDbWrites 4, DynamoDbWriteAttempts 4, ChangesBeyondLagBound 4',
    );
    expect(text).toContain('low-stock alerts: 1004 Mechanical Keyboard stock 8');
    expect(text).toMatch(/Logs \(\d+\)\n {2}\d\d:\d\d:\d\d\.\d{3} +INFO +Batch received/);
    expect(text).toContain('InventoryService (service=inventory-service)');
    expect(text).toMatch(/ProductsUpserted +4 +Count/);
    expect(text).toContain('Table ops-tools afterwards (4 item(s))');
    expect(text).toMatch(/1004 +Mechanical Keyboard +89\.00 +8/);
  });

  it('invoke lists the dead letters a batch wrote; replay --dry-run and inventory --low-stock read the same endpoint', async () => {
    // Prepare
    const invokeIo = recordingIo();
    const replayIo = recordingIo();
    const inventoryIo = recordingIo();

    // Act
    await invokeMain(['events/poison.json'], invokeIo, env);
    // Both letters would still fail: exit code 3, found what replay checks for.
    await expect(replayMain(['--endpoint', 'local', '--dry-run'], replayIo, env)).rejects.toMatchObject({
      exitCode: 3,
    });
    await inventoryMain(['--endpoint', 'local', '--low-stock'], inventoryIo, env);

    // Assess
    expect(invokeIo.text()).toContain(
      'dead letters written: dbserver1.public.products/0/16.json, dbserver1.public.products/0/17.json',
    );
    expect(replayIo.text()).toContain('2 pending letter(s), 2 selected');
    expect(replayIo.text()).toContain('would still fail  dbserver1.public.products/0/16.json  INVALID_JSON');
    expect(replayIo.text()).toContain('Summary (dry run: nothing was changed)');
    expect(inventoryIo.text()).toContain('2 of 5 product(s) under 10 in stock');
    expect(inventoryIo.text()).toMatch(/1004 +Mechanical Keyboard +89\.00 +8/);
    expect((await service.listDeadLetters()).map((letter) => letter.letter.errors.length)).toEqual([1, 1]);
  });

  it('invoke refuses a JSON file that is not a Kafka event, with exit code 2', async () => {
    // Prepare
    const path = join(tmpdir(), `not-kafka-${process.pid}.json`);
    await writeFile(path, '{"Records": []}');

    try {
      // Act
      const attempt = invokeMain([path], recordingIo(), env);

      // Assess
      await expect(attempt).rejects.toThrow(InputError);
      await expect(attempt).rejects.toThrow('is not a Lambda Kafka event (no "records" map)');
      await expect(attempt).rejects.toMatchObject({ exitCode: 2 });
    } finally {
      await rm(path, { force: true });
    }
  });

  it('invoke --endpoint embedded starts empty DynamoDB and S3 for the run and sets up its table', async () => {
    // Prepare
    const io = recordingIo();

    // Act
    await invokeMain(['events/products-create.json', '--endpoint', 'embedded'], io, {});

    // Assess
    expect(io.text()).toContain('embedded DynamoDB Local + s3rver (started for this run');
    expect(io.text()).toContain('Table inventory-realtime afterwards (2 item(s))');
  });
});

describe('replay progress and invoke metrics rendering', () => {
  it('redraws one progress bar on a terminal and prints failures above it', () => {
    // Prepare
    const io = recordingIo(true);
    const counts = {
      REPLAYED: 1,
      ALREADY_APPLIED: 0,
      NOTHING_TO_APPLY: 0,
      STILL_FAILING: 1,
      HELD_BACK: 0,
      UNREPLAYABLE: 0,
    };
    const progress = new ReplayProgress(io, 2, false, counts);

    // Act
    progress.letter('a.json', { outcome: LetterOutcome.REPLAYED, detail: 'ok' });
    progress.letter('b.json', { outcome: LetterOutcome.STILL_FAILING, detail: 'INVALID_JSON: bad' });
    progress.finish();

    // Assess
    expect(io.out).toEqual([
      '\r\u001b[2K[############............] 1/2  replayed 1 · already 0 · failing 1 · held 0',
      '\r\u001b[2Kstill failing     b.json  INVALID_JSON: bad\n[########################] 2/2  replayed 1 · already 0 · failing 1 · held 0',
      '\n',
    ]);
  });

  it('groups EMF metrics by namespace and dimension values', () => {
    // Prepare
    const documents = [
      {
        _aws: {
          Timestamp: 1,
          CloudWatchMetrics: [
            { Namespace: 'Shop', Dimensions: [['service']], Metrics: [{ Name: 'A', Unit: 'Count' }] },
          ],
        },
        service: 'inventory',
        A: 3,
      },
      {
        _aws: {
          Timestamp: 1,
          CloudWatchMetrics: [
            {
              Namespace: 'Shop',
              Dimensions: [['service', 'function_name']],
              Metrics: [{ Name: 'ColdStart', Unit: 'Count' }],
            },
          ],
        },
        service: 'inventory',
        function_name: 'fn',
        ColdStart: 1,
      },
    ];

    // Act
    const groups = groupMetrics(documents);

    // Assess
    expect(groups).toEqual([
      { title: 'Shop (service=inventory)', rows: [{ name: 'A', value: 3, unit: 'Count' }] },
      {
        title: 'Shop (service=inventory, function_name=fn)',
        rows: [{ name: 'ColdStart', value: 1, unit: 'Count' }],
      },
    ]);
  });
});
