import { describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/cli/errors.js';
import { parseInventoryArgs } from '../../scripts/inventory/inventory.js';
import { parseInvokeArgs } from '../../scripts/invoke/invoke.js';
import { parseReplayArgs } from '../../scripts/replay/options.js';

const usageMessage = (parse: () => unknown): string => {
  try {
    parse();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('expected a UsageError');
};

describe('replay options', () => {
  it('turn every filter into a typed value, with AWS as the default endpoint', () => {
    // Act
    const options = parseReplayArgs([
      '--topic',
      'dbserver1.public.order_items',
      '--partition',
      '1',
      '--from-offset',
      '4',
      '--to-offset',
      '9',
      '--code',
      'UNKNOWN_PRODUCT',
      '--code',
      'INVALID_JSON',
      '--since',
      '2025-01-15T10:00:00Z',
      '--until',
      '2025-01-16',
      '--key',
      'dbserver1.public.order_items/1/6.json',
      '--dry-run',
    ]);

    // Assess
    expect(options).toEqual({
      filters: {
        topic: 'dbserver1.public.order_items',
        partition: 1,
        fromOffset: 4,
        toOffset: 9,
        codes: new Set(['UNKNOWN_PRODUCT', 'INVALID_JSON']),
        since: new Date('2025-01-15T10:00:00Z'),
        until: new Date('2025-01-16T00:00:00Z'),
        keys: new Set(['dbserver1.public.order_items/1/6.json']),
      },
      dryRun: true,
      deleteReplayed: false,
      json: false,
      stockModel: undefined,
      endpoint: 'aws',
      bucket: undefined,
      tableName: undefined,
    });
  });

  it('reject bad values with a message naming the option', () => {
    // Act
    const messages = [
      ['--partition', 'one'],
      ['--from-offset', '9', '--to-offset', '3'],
      ['--code', 'NOT_A_CODE'],
      ['--since', 'yesterday'],
      ['--since', '2025-02-01', '--until', '2025-01-01'],
      ['--key', 'replayed/dbserver1.public.products/0/1.json'],
      ['--endpoint', 'staging'],
      ['stray'],
    ].map((argv) => usageMessage(() => parseReplayArgs(argv)));

    // Assess
    expect(messages).toEqual([
      "--partition must be a non-negative integer, got 'one'",
      '--from-offset 9 is above --to-offset 3',
      expect.stringMatching(
        /^--code 'NOT_A_CODE' is not an error code; known: CONFIG_INVALID, .*UNKNOWN_PRODUCT/,
      ),
      "--since must be an ISO-8601 time like 2025-01-15T10:00:00Z, got 'yesterday'",
      '--since must be before --until',
      "--key 'replayed/dbserver1.public.products/0/1.json' is under replayed/: that letter was replayed already",
      "--endpoint must be local, embedded or aws, got 'staging'",
      "unexpected argument 'stray'",
    ]);
  });
});

describe('invoke and inventory options', () => {
  it('default invoke to the local endpoint and inventory to AWS', () => {
    // Act
    const invoke = parseInvokeArgs(['events/poison.json', '--timeout', '30']);
    const inventory = parseInventoryArgs(['--low-stock', '--threshold', '20']);

    // Assess
    expect(invoke).toMatchObject({ file: 'events/poison.json', endpoint: 'local', timeoutSeconds: 30 });
    expect(inventory).toMatchObject({ lowStock: true, threshold: 20, endpoint: 'aws' });
  });

  it('reject a missing or second event file, a bad timeout and a bad threshold', () => {
    // Act
    const messages = [
      () => parseInvokeArgs([]),
      () => parseInvokeArgs(['a.json', 'b.json']),
      () => parseInvokeArgs(['a.json', '--timeout', '0']),
      () => parseInventoryArgs(['--threshold', 'ten']),
    ].map(usageMessage);

    // Assess
    expect(messages).toEqual([
      'an event file is required, e.g. events/products-snapshot.json',
      'one event file at a time, got 2',
      "--timeout must be 1..900 seconds, got '0'",
      "--threshold must be a non-negative integer, got 'ten'",
    ]);
  });
});
