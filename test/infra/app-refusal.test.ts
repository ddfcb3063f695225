import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** The CLI always names an output folder; without one the App would make a cdk.out* of its own in tmpdir. */
const OUTDIR = mkdtempSync(join(tmpdir(), 'inventory-app-refusal-'));
afterAll(() => rmSync(OUTDIR, { recursive: true, force: true }));

/** Runs infra/app.ts as the CDK CLI does: the context arrives as JSON in CDK_CONTEXT_JSON. */
const runApp = (context: Readonly<Record<string, unknown>>) =>
  spawnSync(TSX, ['infra/app.ts'], {
    cwd: ROOT,
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: OUTDIR },
    encoding: 'utf8',
    timeout: 60_000,
  });

// One process per case: each loads aws-cdk-lib (~3 s here), so only refusals that stop before synthesis.
describe('infra/app.ts refusing a setting', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'a misspelt key',
      { mksClusterArn: 'x' },
      'context "mksClusterArn" is not a setting of this app; did you mean "mskClusterArn"?',
    ],
    ['a bad value', { batchSize: 'lots' }, 'context "batchSize" must be an integer, got "lots"'],
    [
      'a stage that cannot go into names',
      { stage: 'Prod_EU' },
      'context "stage" must be 1..12 of a-z, 0-9 and inner hyphens (it goes into every name), got "Prod_EU"',
    ],
  ])('prints one line for %s and exits non-zero', (_case, context, line) => {
    // Act
    const result = runApp({ '@aws-cdk/core:target-partitions': ['aws'], ...context });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.stdout).toBe('');
    // Refused before synthesis: nothing was written.
    expect(readdirSync(OUTDIR)).toEqual([]);
  });
});
