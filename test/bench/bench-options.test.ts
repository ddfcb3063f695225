import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs } from '../../bench/options.js';
import { stderrProgress } from '../../bench/progress.js';

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** bench/run.ts as `npm run bench` runs it, in a child process: exit code and both streams. */
const bench = (args: readonly string[]): Promise<Finished> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', ...args],
      { env: { ...process.env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr }),
    );
  });

describe('npm run bench options', () => {
  it('prints its usage on --help and exits 0 without starting anything', async () => {
    // Act
    const result = await bench(['--help']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run bench -- \[options\]/);
    expect(result.stdout).toContain('--latency <ms>|auto');
    expect(result.stdout).toMatch(/Exit codes: 0 done/);
    expect(result.stderr).toBe('');
  });

  it.each([
    [['--latency', 'abc'], "bench: --latency must be auto or milliseconds ≥ 0 (e.g. 20), got 'abc'"],
    [['--latency=-5'], "got '-5'"],
    [['--frobnicate'], "bench: Unknown option '--frobnicate'"],
  ])('refuses %j with one line and exit code 2, no stack trace', async (args, message) => {
    // Act
    const result = await bench(args);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['--latency', ''], /got ''/],
    [['--latency', '30,10'], /got '30,10'/],
    [['--latency', 'NaN'], /got 'NaN'/],
    [['--latency'], /argument missing/],
    [['--quick', '--smoke'], /pick one/],
    [['positional'], /Unexpected argument 'positional'/],
  ])('parseBenchArgs refuses %j', (argv, message) => {
    // Act
    const attempt = () => parseBenchArgs(argv);

    // Assess
    expect(attempt).toThrow(BenchUsageError);
    expect(attempt).toThrow(message);
  });

  it('parseBenchArgs reads the latency in ms, 20 by default, or auto', () => {
    // Act
    const given = parseBenchArgs(['--latency', '2.5', '--skip-bundle']);
    const auto = parseBenchArgs(['--latency', 'auto']);
    const defaults = parseBenchArgs([]);

    // Assess
    expect(given).toMatchObject({ latency: 2.5, skipBundle: true, quick: false });
    expect(auto.latency).toBe('auto');
    expect(defaults.latency).toBe(20);
  });
});

describe('bench progress', () => {
  it('prints each phase as it starts and the records done at most every 5 s', () => {
    // Prepare
    const lines: string[] = [];
    let now = 0;
    const progress = stderrProgress(
      (text) => lines.push(text),
      () => now,
    );

    // Act
    progress.phase('handler @30 ms/call', 12_000);
    progress.advance(500);
    now = 5_000;
    progress.advance(500);
    now = 6_000;
    progress.advance(500);
    progress.phase('building dist/handler.mjs');

    // Assess
    expect(lines).toEqual([
      'bench: handler @30 ms/call (12,000 records)\n',
      'bench: handler @30 ms/call: 1,000 of 12,000 records done\n',
      'bench: building dist/handler.mjs\n',
    ]);
  });
});
