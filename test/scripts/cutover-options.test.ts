import { describe, expect, it } from 'vitest';
import { positionKey } from '../../lambda/inventory/position.js';
import { UsageError } from '../../scripts/cli/errors.js';
import { runCli } from '../../scripts/cli/run-cli.js';
import { cutoverMain } from '../../scripts/cutover/cutover.js';
import { CUTOVER_TOOL, parseCutoverArgs } from '../../scripts/cutover/options.js';
import { parseCutoverPosition, stampPositions } from '../../scripts/cutover/source-position.js';
import { capturingIo } from './support/postgres.js';

const streamedKey = (lastCommitLsn: bigint, lsn: bigint, epoch = 0) =>
  positionKey(
    { lsn, sequence: { lastCommitLsn, lsn }, sourceTsMs: undefined },
    { snapshot: false, epoch, offset: 0 },
  );

describe('cutover --position', () => {
  it.each([
    ['["24023128","24023176"]', 24023128n, 24023176n],
    ['[24023128, 24023176]', 24023128n, 24023176n],
    ['24023128,24023176', 24023128n, 24023176n],
    ['["0/16E8E58","0/16E8E88"]', 0x16e8e58n, 0x16e8e88n],
  ])('reads %s', (raw, lastCommitLsn, lsn) => {
    // Act
    const position = parseCutoverPosition(raw);

    // Assess
    expect(position).toEqual({ lastCommitLsn, lsn });
  });

  it.each([
    ['abc', /must be source.sequence/],
    ['[1]', /two LSNs/],
    ['[null,"5"]', /no lastCommitLsn/],
    ['["x","5"]', /lastCommitLsn must be an LSN/],
    ['["1","-5"]', /lsn must be an LSN/],
    ['["1",', /not a JSON array/],
  ])('refuses %s with a usage error', (raw, message) => {
    // Act
    const attempt = () => parseCutoverPosition(raw);

    // Assess
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });
});

describe('stampPositions', () => {
  it("gives cdc_position P's own key and stock_position a key above P and at or below every later change", () => {
    // Prepare
    const position = { lastCommitLsn: 5_900n, lsn: 6_020n };

    // Act
    const stamp = stampPositions(position, 3);

    // Assess
    expect(stamp.cdcPosition).toBe(streamedKey(5_900n, 6_020n, 3));
    expect(stamp.stockPosition > stamp.cdcPosition).toBe(true);
    // The next change of P's transaction, and the first change of the next transaction.
    expect(streamedKey(5_900n, 6_021n, 3) >= stamp.stockPosition).toBe(true);
    expect(streamedKey(6_900n, 7_010n, 3) > stamp.stockPosition).toBe(true);
    // A long transaction committing after P with change LSNs below P's still sorts after it.
    expect(streamedKey(6_900n, 5_000n, 3) > stamp.stockPosition).toBe(true);
    // Earlier changes, including P's own transaction before P.
    expect(streamedKey(5_900n, 6_010n, 3) < stamp.cdcPosition).toBe(true);
    expect(streamedKey(4_900n, 5_990n, 3) < stamp.cdcPosition).toBe(true);
  });
});

describe('parseCutoverArgs', () => {
  it.each([
    [[], /--position <P> is required/],
    [['--position', '1,2', '--page-size', '0'], /--page-size must be a positive integer/],
    [['--position', '1,2', '--concurrency', '65'], /--concurrency must be at most 64/],
    [['--position', '1,2', '--stock-model', 'stock'], /--stock-model must be one of/],
    [['--position', '1,2', '--endpoint', 'cloud'], /--endpoint must be local, embedded or aws/],
    [['--position', '1,2', '--postgres', 'mysql://x'], /postgres:\/\//],
    [['--position', '1,2', '--bogus'], /unknown option '--bogus'/],
  ])('refuses %j', (argv, message) => {
    // Act
    const attempt = () => parseCutoverArgs(argv);

    // Assess
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });

  it('takes the defaults', () => {
    // Act
    const options = parseCutoverArgs(['--position', '1,2']);

    // Assess
    expect(options).toMatchObject({
      endpoint: 'aws',
      dryRun: false,
      json: false,
      pageSize: 500,
      concurrency: 8,
    });
  });
});

describe('cutover settings', () => {
  it.each([
    [
      { SOURCE_EPOCH: 'one' },
      ['--stock-model', 'products'],
      /^cutover: environment: SOURCE_EPOCH: expected an integer/,
    ],
    [{ STOCK_MODEL: 'fifo' }, [], /^cutover: environment: STOCK_MODEL: expected one of/],
    [
      {},
      ['--stock-model', 'ledger'],
      /^cutover: --postgres <connection-url> is required under the ledger stock model/,
    ],
  ])(
    'with %j ends at once in one line and exit code 2, before starting a local endpoint',
    async (env, args, message) => {
      // Prepare
      const captured = capturingIo();
      const started = Date.now();

      // Act
      const code = await runCli(
        CUTOVER_TOOL,
        (argv, io) => cutoverMain(argv, io, env),
        ['--endpoint', 'local', '--position', '1,2', ...args],
        captured.io,
      );

      // Assess
      expect(code).toBe(2);
      // One line: the refusal, then the pointer to --help that every tool's usage error carries.
      expect(captured.stderr().trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
      expect(captured.stderr()).toMatch(/ \(see npm run cutover -- --help\)\n$/);
      expect(captured.stdout()).toBe('');
      // An embedded DynamoDB Local takes seconds to start: the refusal comes well before.
      expect(Date.now() - started).toBeLessThan(1_000);
    },
  );
});
