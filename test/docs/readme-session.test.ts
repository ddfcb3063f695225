import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collapseSpaces, type SessionLine, sessionLines, shellScript } from './support/session-blocks.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** The README's examples first, then the longer session: the order a reader follows them in. */
const PAGES = ['README.md', 'docs/operations.md'];
const LINES: SessionLine[] = PAGES.flatMap((page) =>
  sessionLines(readFileSync(join(ROOT, page), 'utf8'), page),
);
const READY_TIMEOUT_MS = 60_000;

interface Outcome {
  readonly code: number | null;
  readonly output: string;
}

/** One line in bash from the repository root, as a reader's second terminal would run it. */
const runInShell = (script: string, env: NodeJS.ProcessEnv): Promise<Outcome> =>
  new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });

describe.sequential('the documented local session runs as written against npm run local', () => {
  let directory: string;
  let local: ChildProcess;
  let localOutput = '';
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,

    INVENTORY_LOCAL_DIR: directory,
  });

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'inventory-docs-session-'));
    // One process (tsx as a loader), so that SIGINT reaches the tool as a terminal's Ctrl-C would.
    local = spawn(process.execPath, ['--import', 'tsx', 'scripts/local.ts'], {
      cwd: ROOT,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    local.stdout?.on('data', (chunk: Buffer) => {
      localOutput += chunk.toString();
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!localOutput.includes('ready') && local.exitCode === null && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
  }, READY_TIMEOUT_MS + 5_000);

  afterAll(async () => {
    if (local.exitCode === null) {
      const stopped = new Promise((resolve) => local.once('exit', resolve));
      local.kill('SIGINT');
      await stopped;
    }
    await rm(directory, { recursive: true, force: true });
  }, 30_000);

  it('has session blocks in both pages, with promises to check', () => {
    // Assess
    expect(localOutput).toContain('ready');
    expect(new Set(LINES.map((line) => line.source.split(':')[0]))).toEqual(new Set(PAGES));
    expect(LINES.filter((line) => line.expectedOutput.length > 0).length).toBeGreaterThanOrEqual(8);
    expect(LINES.some((line) => line.expectedExitCode !== 0)).toBe(true);
  });

  it.each(LINES.map((line, index) => [line.source, line.command, index] as const))(
    '%s: %s',
    async (_source, _command, index) => {
      // Arrange
      const line = LINES[index] as SessionLine;
      const script = shellScript(line, LINES.slice(0, index));

      // Act
      const outcome = await runInShell(script, env());

      // Assess
      const output = collapseSpaces(outcome.output);
      expect({ code: outcome.code, output }).toMatchObject({ code: line.expectedExitCode });
      for (const piece of line.expectedOutput) expect(output).toContain(piece);
      // The sample events are from 2025: a session that forgets LAG_BOUND_HOURS warns on every invocation.
      expect(output).not.toContain('Changes older than the lag bound');
    },
    60_000,
  );
});
