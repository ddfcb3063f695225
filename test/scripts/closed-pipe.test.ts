import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';

interface PipedRun {
  readonly code: number | null;
  readonly stderr: string;
  /** What the reader took before it went away. */
  readonly read: string;
}

/**
 * Runs a tool as `npm run -s <tool> -- … | head -1` (reader: 'first-line') or `… | true` (reader: 'none') would:
 * the reader closes its end of stdout, and the tool's later writes meet EPIPE.
 */
const runPiped = (args: readonly string[], env: Record<string, string>, reader: 'first-line' | 'none') =>
  new Promise<PipedRun>((resolve, reject) => {
    const child = spawn('npx', ['tsx', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let read = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    if (reader === 'none') child.stdout.destroy();
    else
      child.stdout.once('data', (chunk) => {
        read = String(chunk).split('\n')[0] ?? '';
        child.stdout.destroy();
      });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr, read }));
  });

const expectQuietEnd = (run: PipedRun): void => {
  expect(run.stderr).not.toContain('EPIPE');
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.code).toBe(0);
};

describe('a tool whose output is closed by its reader', () => {
  let aws: EmbeddedAws;
  let env: Record<string, string>;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
    env = { ...aws.env, DYNAMODB_TABLE: 'closed-pipe', DLQ_S3_BUCKET: 'closed-pipe-dlq' };
  }, 120_000);

  afterAll(async () => {
    await aws?.stop();
  });

  it('invoke | head -1 ends quietly with exit 0, text or --json', async () => {
    // Act
    const [text, json] = await Promise.all([
      runPiped(['scripts/invoke.ts', 'events/products-snapshot.json'], env, 'first-line'),
      runPiped(['scripts/invoke.ts', 'events/products-snapshot.json', '--json'], env, 'first-line'),
    ]);

    // Assess
    expect(text.read).toBe('invoke events/products-snapshot.json (dbserver1.public.products-0 ×4)');
    expect(json.read).toBe('{');
    expectQuietEnd(text);
    expectQuietEnd(json);
  }, 90_000);

  it('inventory, make-event, replay --help and npm start --help into a reader that reads nothing end quietly with exit 0', async () => {
    // Act
    const runs = await Promise.all([
      runPiped(['scripts/inventory.ts', '--endpoint', 'local', '--json'], env, 'none'),
      runPiped(
        [
          'scripts/make-event.ts',
          '--topic',
          'dbserver1.public.products',
          '--file',
          'events/changes/products-create.json',
        ],
        env,
        'none',
      ),
      runPiped(['scripts/replay.ts', '--help'], env, 'none'),
      runPiped(['scripts/local-run.ts', '--help'], env, 'none'),
    ]);

    // Assess
    for (const run of runs) expectQuietEnd(run);
  }, 90_000);
});
