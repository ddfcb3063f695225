import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm start (scripts/local-run.ts)', () => {
  it('runs every sample event through the handler on embedded services and prints the outcome', async () => {
    // Prepare
    const env = { ...process.env };

    // Act
    const { stdout } = await run('npx', ['tsx', 'scripts/local-run.ts'], { env, timeout: 60_000 });

    // Assess
    // records, upserts, deletes, decrements, pending, duplicates: the redelivered batch changes nothing
    expect(stdout).toMatch(/order-items-create\.json \(again\)\s+6\s+0\s+0\s+0\s+0\s+6\s/);
    // the order line for product 1999 waits in the ledger for its product instead of a dead letter
    expect(stdout).toMatch(/order-items-unknown-product\.json\s+2\s+0\s+0\s+1\s+1\s+0\s/);
    expect(stdout).toMatch(/1001\s+Laptop\s+1199\.99\s+44\s/);
    expect(stdout).toMatch(/1005\s+Monitor 27" 4K\s+329\.00\s+8\s/);
    expect(stdout).not.toMatch(/^\s+1006\s/m);
    expect(stdout).toContain('Inventory table (6 items)');
    expect(stdout).not.toContain('UNKNOWN_PRODUCT');
    expect(stdout).toMatch(/1008\s+Noise-Cancelling Headphones\s+199\.00\s+8\s/);
    expect(stdout).toMatch(/dbserver1\.public\.products\/0\/16\.json\s+INVALID_JSON/);
    expect(stdout).toMatch(/dbserver1\.public\.products\/0\/17\.json\s+EMPTY_VALUE/);
  });
});
