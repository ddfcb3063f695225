import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);

/** Runs a tool as a user would (tsx, the real entry point), with AWS out of reach. */
const run = async (
  tool: 'replay' | 'invoke' | 'inventory',
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> => {
  const { DLQ_S3_BUCKET: _ignored, ...inherited } = process.env;
  const baseEnv = { ...inherited };
  try {
    const { stdout, stderr } = await exec('npx', ['tsx', `scripts/${tool}.ts`, ...args], {
      env: { ...baseEnv, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

describe('operations tools on the command line', () => {
  it('explain every option on --help and exit 0', async () => {
    // Act
    const [replay, invoke, inventory] = await Promise.all([
      run('replay', ['--help']),
      run('invoke', ['-h']),
      run('inventory', ['--help']),
    ]);

    // Assess
    expect([replay.code, invoke.code, inventory.code]).toEqual([0, 0, 0]);
    for (const option of ['--topic', '--partition', '--from-offset', '--to-offset', '--code', '--since']) {
      expect(replay.stdout).toContain(option);
    }
    for (const option of ['--until', '--key', '--dry-run', '--delete', '--bucket', '--table', '--endpoint']) {
      expect(replay.stdout).toContain(option);
    }
    expect(replay.stdout).toContain(
      'recorded by its identity (table, row key, commit position) in the ledger',
    );
    expect(replay.stdout).toContain('--stock-model <model>');
    expect(replay.stdout).toContain('SOURCE_EPOCH, EPOCH_HEADER, LAG_BOUND_HOURS');
    expect(replay.stdout).toContain('the ledger table\n                           is LEDGER_TABLE');
    expect(replay.stdout).not.toContain('watermark');
    for (const help of [replay.stdout, invoke.stdout, inventory.stdout]) {
      expect(help).toContain('DynamoDB Local + s3rver for this run only');
      expect(help).not.toContain('dynalite');
    }
    expect(invoke.stdout).toContain('Usage: npm run invoke -- <event.json>');
    expect(invoke.stdout).toContain('--endpoint local|aws');
    expect(inventory.stdout).toContain('--low-stock');
    expect(inventory.stdout).toContain('--threshold <n>');
  });

  it('exit 2 with one line that points at npm run <tool> -- --help on bad command lines', async () => {
    // Act
    const results = await Promise.all([
      run('replay', ['--partiton', '1']),
      run('replay', []),
      run('invoke', ['events/nope.json']),
      run('inventory', ['--threshold', 'ten']),
    ]);

    // Assess
    expect(results.map((result) => result.code)).toEqual([2, 2, 2, 2]);
    expect(results.map((result) => result.stderr)).toEqual([
      "replay: unknown option '--partiton' (see npm run replay -- --help)\n",
      'replay: no dead-letter bucket: pass --bucket or set DLQ_S3_BUCKET (see npm run replay -- --help)\n',
      "invoke: cannot read 'events/nope.json': no such file (see npm run invoke -- --help)\n",
      "inventory: --threshold must be a non-negative integer, got 'ten' (see npm run inventory -- --help)\n",
    ]);
  });
});
