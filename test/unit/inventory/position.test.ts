import { describe, expect, it } from 'vitest';
import { positionKey } from '../../../lambda/inventory/position.js';

const sorted = (keys: readonly string[]): string[] => [...keys].sort();

describe('positionKey', () => {
  it('gives the same record the same key', () => {
    // Prepare
    const source = { lsn: 24_023_128, sourceTsMs: 1_736_937_000_123 };

    // Act
    const first = positionKey(source, 42);
    const redelivered = positionKey({ ...source }, 42);

    // Assess
    expect(redelivered).toBe(first);
  });

  it('orders by LSN before source time', () => {
    // Prepare: the later LSN committed at an earlier wall-clock time
    const earlier = positionKey({ lsn: 1_000, sourceTsMs: 1_736_937_999_999 }, 7);
    const later = positionKey({ lsn: 1_001, sourceTsMs: 1_736_937_000_000 }, 3);

    // Act
    const order = sorted([later, earlier]);

    // Assess
    expect(order).toEqual([earlier, later]);
    expect(earlier < later).toBe(true);
  });

  it('sorts lexicographically like the numeric tuple, across digit counts', () => {
    // Prepare
    const tuples = [
      { lsn: 9, sourceTsMs: 5 },
      { lsn: 10, sourceTsMs: 1 },
      { lsn: 10, sourceTsMs: 2 },
      { lsn: 100, sourceTsMs: 0 },
      { lsn: 2 ** 32, sourceTsMs: 0 },
      { lsn: 2 ** 52, sourceTsMs: 0 },
    ];
    const keys = tuples.map((source) => positionKey(source, 0));

    // Act
    const order = sorted([...keys].reverse());

    // Assess
    expect(order).toEqual(keys);
  });

  it('orders changes without an LSN by source time, then by Kafka offset', () => {
    // Prepare
    const a = positionKey({ lsn: undefined, sourceTsMs: 1_736_937_000_000 }, 9);
    const b = positionKey({ lsn: undefined, sourceTsMs: 1_736_937_000_000 }, 10);
    const c = positionKey({ lsn: undefined, sourceTsMs: 1_736_937_000_001 }, 0);

    // Act
    const order = sorted([c, b, a]);

    // Assess
    expect(order).toEqual([a, b, c]);
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('gives a change re-emitted at a new offset with the same LSN the same key', () => {
    // Prepare: a connector restart re-sends the change; Postgres gave it one LSN
    const source = { lsn: 24_023_128, sourceTsMs: 1_736_937_000_123 };

    // Act
    const original = positionKey(source, 42);
    const reEmitted = positionKey(source, 97);

    // Assess
    expect(reEmitted).toBe(original);
  });

  it('sorts a change without an LSN before any change with one', () => {
    // Prepare
    const withoutLsn = positionKey({ lsn: undefined, sourceTsMs: 9_999_999_999_999 }, 999);
    const withLsn = positionKey({ lsn: 1, sourceTsMs: 0 }, 0);

    // Act
    const order = sorted([withLsn, withoutLsn]);

    // Assess
    expect(order).toEqual([withoutLsn, withLsn]);
  });

  it('has a fixed width and treats absent or negative parts as zero', () => {
    // Prepare
    const sources = [
      { lsn: undefined, sourceTsMs: undefined },
      { lsn: -5, sourceTsMs: -1 },
      { lsn: 0, sourceTsMs: 0 },
    ];

    // Act
    const keys = sources.map((source) => positionKey(source, 0));

    // Assess
    expect(new Set(keys)).toEqual(
      new Set(['00000000000000000000.00000000000000000000.00000000000000000000']),
    );
  });

  it('spells the LSN, source time and offset as fixed-width digits', () => {
    // Prepare
    const source = { lsn: undefined, sourceTsMs: 1_736_937_000_123 };

    // Act
    const key = positionKey(source, 42);

    // Assess
    expect(key).toBe('00000000000000000000.00000001736937000123.00000000000000000042');
    expect(key).toHaveLength(62);
  });

  it('truncates a fractional time instead of producing a key that sorts wrongly', () => {
    // Prepare
    const source = { lsn: 12, sourceTsMs: 1_736_937_000_123.9 };

    // Act
    const key = positionKey(source, 0);

    // Assess
    expect(key.split('.')).toEqual(['00000000000000000012', '00000001736937000123', '00000000000000000000']);
  });
});
