import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs a tool as a user would, under a hard limit: a tool that hangs fails the test instead of CI. */
const runTool = async (args: readonly string[], env: Record<string, string>, timeout = 20_000) => {
  const started = Date.now();
  try {
    const { stdout, stderr } = await run('npx', ['tsx', ...args], {
      env: { ...process.env, ...env },
      timeout,
    });
    return { code: 0, stdout, stderr, elapsed: Date.now() - started };
  } catch (error) {
    const failed = error as { code?: number; killed?: boolean; stdout: string; stderr: string };
    return {
      code: failed.killed ? -1 : (failed.code ?? -1),
      stdout: failed.stdout,
      stderr: failed.stderr,
      elapsed: Date.now() - started,
    };
  }
};

describe('every tool checks its settings before it starts anything', () => {
  it.each([
    ['invoke', ['scripts/invoke.ts', 'events/products-create.json']],
    ['inventory', ['scripts/inventory.ts', '--endpoint', 'local']],
    ['replay', ['scripts/replay.ts', '--endpoint', 'local', '--dry-run']],
  ])('%s ends within seconds with one line naming the bad setting', async (tool, args) => {
    // Act
    const result = await runTool(args, { LOW_STOCK_THRESHOLD: 'ten' });

    // Assess
    expect(result.code).toBe(2);
    expect(result.elapsed).toBeLessThan(15_000);
    expect(result.stderr).toBe(
      `${tool}: environment: LOW_STOCK_THRESHOLD: expected an integer, got "ten" (see npm run ${tool} -- --help)\n`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('signs local calls with the local credentials, not the shell’s', async () => {
    // Act
    const result = await runTool(
      ['scripts/invoke.ts', 'events/products-create.json', '--endpoint', 'embedded'],
      {
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-for-s3rver',
        // A real run: it starts DynamoDB Local (a JVM), which takes more than 20 s on a loaded 2-core machine.
      },
      90_000,
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('InvalidAccessKeyId');
  }, 100_000);
});
