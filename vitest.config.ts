import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/support/quiet-powertools.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      POWERTOOLS_DEV: 'false',
      // Tests never use a developer's running `npm run local` (scripts/local/local-session.ts).
      INVENTORY_LOCAL_DIR: join(tmpdir(), 'inventory-cdc-tests-without-local-session'),
    },
  },
});
