import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from './vitest.config.js';

/**
 * Unit tests first, then the integration files: Stryker bails at a mutant's first failing test, and a unit
 * test fails in milliseconds where an integration file takes seconds.
 */
class UnitTestsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => (file.moduleId.includes('/test/unit/') ? 0 : 1);
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

/**
 * The tests `npm run mutate` (stryker.config.json) runs against the mutants of lambda/: the unit tests and
 * the integration tests that drive lambda/ against DynamoDB Local and s3rver within seconds. Property,
 * hardening, e2e, infra and tool tests are left out: they take minutes, and Stryker reruns the tests that
 * cover a mutant once per mutant. The list replaces the base `include` (mergeConfig would append to it).
 */
export default defineConfig({
  ...base,
  resolve: {
    alias: [
      {
        // embedded-aws.ts's own import only: one JVM per Stryker worker instead of one per file and mutant.
        find: /^\.\/dynamodb-local\.js$/,
        replacement: fileURLToPath(
          new URL('./test/support/mutation/shared-dynamodb-local.ts', import.meta.url),
        ),
      },
    ],
  },
  test: {
    ...base.test,
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/call-deadline.test.ts',
      'test/integration/dead-letter-store.test.ts',
      'test/integration/handler.test.ts',
      'test/integration/ledger-expiry.test.ts',
      'test/integration/source-semantics.test.ts',
      'test/integration/store.test.ts',
    ],
    globalSetup: ['test/support/mutation/global-setup.ts'],
    // The shared DynamoDB Local is emptied when a file starts: files must not overlap.
    fileParallelism: false,
    // Stryker switches mutants at run time (mutant schemata), so nothing needs re-importing between runs:
    // one module cache per worker instead of re-evaluating the AWS SDK for every file of every mutant.
    isolate: false,
    sequence: { sequencer: UnitTestsFirst },
  },
});
