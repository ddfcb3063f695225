import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { startEmbeddedPostgres } from '../../scripts/local/embedded-postgres.js';
import { startTestPostgres } from './support/postgres.js';

/**
 * The names the project's temporary folders and files take (scripts/local/*, test/scripts/support/*), and
 * those a JVM leaves behind when it is killed: DynamoDB Local's copy of its sqlite4java library and the
 * hsperfdata folder.
 */
const PROJECT_PREFIXES = ['inventory-', 'reconcile-pg-', 'sqlite-', 'hsperfdata_'] as const;

const projectEntries = async (directory: string): Promise<string[]> =>
  (await readdir(directory))
    .filter((name) => PROJECT_PREFIXES.some((prefix) => name.startsWith(prefix)))
    .sort();

/**
 * Other test files and other people's runs share the machine's temporary folder, so its listing moves while
 * this runs: here os.tmpdir() is a private folder (Node reads TMPDIR on every call), and what starting and
 * stopping the local services leave in it is exactly what they leave behind.
 */
describe('local services clean up their temporary folders', () => {
  const originalTmpdir = process.env.TMPDIR;
  let privateTmp: string;

  beforeAll(async () => {
    privateTmp = await mkdtemp(join(tmpdir(), 'cleanup-check-'));
    // Like /tmp: the postgres user (the server runs as it when tests run as root) reads files put here.
    await chmod(privateTmp, 0o1777);
    process.env.TMPDIR = privateTmp;
  });

  afterAll(async () => {
    if (originalTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = originalTmpdir;
    await rm(privateTmp, { recursive: true, force: true });
  });

  it('embedded DynamoDB Local and s3rver remove their folders, the JVM its own temporary files, on stop', async () => {
    // Prepare
    const before = await projectEntries(tmpdir());

    // Act
    const aws = await startEmbeddedAws();
    await aws.createTable('cleanup-check');
    const whileRunning = await projectEntries(tmpdir());
    const javaTemp = whileRunning.find((name) => name.startsWith('inventory-cdc-dynamodb-')) ?? '';
    const javaFiles = javaTemp === '' ? [] : await readdir(join(tmpdir(), javaTemp));
    await aws.stop();
    const after = await projectEntries(tmpdir());

    // Assess
    expect(tmpdir()).toBe(privateTmp);
    expect(before).toEqual([]);
    expect(whileRunning).toEqual([
      expect.stringMatching(/^inventory-cdc-dynamodb-/),
      expect.stringMatching(/^inventory-cdc-s3-/),
    ]);
    // The JVM's temporary files are in the run's folder, not loose in the temporary folder.
    expect(javaFiles.some((name) => name.endsWith('libsqlite4java.so'))).toBe(true);
    expect(after).toEqual([]);
    expect(await readdir(privateTmp)).toEqual([]);
  });

  it('embedded PostgreSQL (scripts/local and the tests’ own) removes its folder on stop', async () => {
    // Prepare
    const before = await projectEntries(tmpdir());

    // Act
    const [local, test] = await Promise.all([startEmbeddedPostgres(), startTestPostgres()]);
    const whileRunning = await projectEntries(tmpdir());
    await Promise.all([local.stop(), test.stop()]);
    const after = await projectEntries(tmpdir());

    // Assess
    expect(before).toEqual([]);
    expect(whileRunning).toEqual([
      expect.stringMatching(/^inventory-cdc-pg-/),
      expect.stringMatching(/^inventory-cdc-pg-/),
    ]);
    expect(after).toEqual([]);
    expect(await readdir(privateTmp)).toEqual([]);
  });

  it('on Ctrl-C, a process with embedded DynamoDB Local and s3rver dies of the signal and leaves nothing behind', async () => {
    // Prepare
    const script = [
      "import { startEmbeddedAws } from './scripts/local/embedded-aws.ts';",
      'await startEmbeddedAws();',
      "process.stdout.write('up\\n');",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, TMPDIR: privateTmp },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the child exited early (${code})`)));
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('up')) resolve();
      });
    });
    const whileRunning = await projectEntries(privateTmp);

    // Act
    const ended = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_, signal) => resolve(signal)),
    );
    child.kill('SIGINT');
    const signal = await ended;

    // Assess
    expect(whileRunning).toEqual([
      expect.stringMatching(/^inventory-cdc-dynamodb-/),
      expect.stringMatching(/^inventory-cdc-s3-/),
    ]);
    expect(signal).toBe('SIGINT');
    expect(await projectEntries(privateTmp)).toEqual([]);
  });
});
