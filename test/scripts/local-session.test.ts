import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run local keeps one local environment for every tool', () => {
  let directory: string;
  let local: ChildProcess;
  let output = '';
  const env = () => ({
    ...process.env,

    INVENTORY_LOCAL_DIR: directory,
  });

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'inventory-local-'));
    // One process (tsx as a loader), so that the test's SIGINT reaches the tool as a terminal's Ctrl-C would.
    local = spawn(process.execPath, ['--import', 'tsx', 'scripts/local.ts'], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    local.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!output.includes('ready') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
  });

  afterAll(async () => {
    if (local.exitCode === null) local.kill('SIGINT');
    await rm(directory, { recursive: true, force: true });
  });

  it('serves invoke and inventory the same table, until Ctrl-C, and keeps the data on disk', async () => {
    // Act
    const invoked = await run('npx', ['tsx', 'scripts/invoke.ts', 'events/products-snapshot.json'], {
      env: env(),
    });
    const listed = await run('npx', ['tsx', 'scripts/inventory.ts', '--endpoint', 'local'], { env: env() });
    const stopped = new Promise<number | null>((resolve) => local.once('exit', (code) => resolve(code)));
    local.kill('SIGINT');

    // Assess
    expect(output).toContain('ready');
    expect(invoked.stdout).toContain(`npm run local (pid `);
    expect(listed.stdout).toContain('4 product(s)');
    expect(listed.stdout).toMatch(/1001\s+Laptop\s+1299\.99\s+45\s/);
    expect(await stopped).toBe(0);
    expect((await readdir(directory)).sort()).toEqual(['dynamodb', 's3']);
  });
});
