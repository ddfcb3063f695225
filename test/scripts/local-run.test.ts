import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm start (scripts/local-run.ts)', () => {
  it('runs every sample event through the handler on embedded services and prints the outcome', async () => {
    // Prepare
    const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

    // Act
    const { stdout } = await run('npx', ['tsx', 'scripts/local-run.ts'], { env, timeout: 60_000 });

    // Assess
    expect(stdout).toMatch(/order-items-create\.json \(again\)\s+6\s+0\s+0\s+0\s+6\s/);
    expect(stdout).toMatch(/1001\s+Laptop\s+1199\.99\s+44\s/);
    expect(stdout).toMatch(/1005\s+Monitor 27" 4K\s+329\.00\s+8\s/);
    expect(stdout).not.toMatch(/^\s+1006\s/m);
    expect(stdout).toContain('Inventory table (6 items)');
    expect(stdout).toMatch(/dbserver1\.public\.order_items\/1\/6\.json\s+UNKNOWN_PRODUCT/);
    expect(stdout).toMatch(/dbserver1\.public\.products\/0\/16\.json\s+INVALID_JSON/);
    expect(stdout).toMatch(/dbserver1\.public\.products\/0\/17\.json\s+EMPTY_VALUE/);
  });
});
