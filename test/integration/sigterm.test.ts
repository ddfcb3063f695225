import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Runs under plain `node`, as in Lambda: the child script and lambda/handler.ts are bundled the way the stack
 * bundles the function (a loader such as tsx installs signal handlers of its own).
 */
describe('SIGTERM (lambda/handler.ts)', () => {
  let directory: string;
  let bundle: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'inventory-sigterm-'));
    bundle = join(directory, 'child.mjs');
    await build({
      entryPoints: ['test/support/sigterm-child.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
      banner: { js: "import{createRequire}from'module';const require=createRequire(import.meta.url);" },
    });
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('flushes metrics, logs the shutdown and exits 0', async () => {
    // Prepare
    const child = spawn(process.execPath, [bundle], {
      env: {
        ...process.env,
        DLQ_S3_BUCKET: 'inventory-dlq-test',
        AWS_REGION: 'us-east-1',
      },
    });
    let stdout = '';
    const onReady = (chunk: Buffer): void => {
      stdout += chunk.toString('utf8');
      if (!stdout.includes('ready\n')) return;
      child.stdout.off('data', onReady);
      child.stdout.on('data', (more: Buffer) => {
        stdout += more.toString('utf8');
      });
      child.kill('SIGTERM');
    };
    child.stdout.on('data', onReady);

    // Act
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    // Assess
    const shutdown = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.message === 'SIGTERM received: metrics flushed, shutting down');
    expect(exitCode).toBe(0);
    expect(shutdown).toMatchObject({ level: 'INFO', service: 'inventory-service' });
  });
});
