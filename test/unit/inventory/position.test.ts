import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PositionBasis,
  positionBasis,
  positionKey,
  type SourcePosition,
} from '../../../lambda/inventory/position.js';

const streamed = (lastCommitLsn: bigint | undefined, lsn: bigint, sourceTsMs = 1_000): SourcePosition => ({
  lsn,
  sequence: { lastCommitLsn, lsn },
  sourceTsMs,
});
const context = (overrides: Partial<{ snapshot: boolean; epoch: number; offset: number }> = {}) => ({
  snapshot: false,
  epoch: 0,
  offset: 0,
  ...overrides,
});

describe('positionKey', () => {
  it('gives a re-emitted copy at a new offset the same key: the offset is not part of it', () => {
    // Prepare
    const source = streamed(100n, 120n);

    // Act
    const first = positionKey(source, context({ offset: 42 }));
    const copy = positionKey({ ...source }, context({ offset: 9_001 }));

    // Assess
    expect(copy).toBe(first);
  });

  it('orders a later-committed transaction after an earlier one even when its change LSN is lower', () => {
    // Prepare: T1 changes at 500 and commits at 600; T2 began before it (change at 450) and commits later
    const t1 = positionKey(streamed(400n, 500n), context());
    const t2 = positionKey(streamed(600n, 450n), context());

    // Act
    const order = [t2, t1].sort();

    // Assess
    expect(order).toEqual([t1, t2]);
  });

  it('orders the changes of one transaction by their LSN', () => {
    const first = positionKey(streamed(600n, 610n), context());
    const second = positionKey(streamed(600n, 620n), context());
    expect(first < second).toBe(true);
  });

  it('puts initial-snapshot rows before every streamed change, even one with a lower change LSN', () => {
    // Prepare: the first transaction after the snapshot has no last commit and began before the snapshot point
    const snapshotRow = positionKey(
      { lsn: 1_000n, sequence: { lastCommitLsn: undefined, lsn: 1_000n }, sourceTsMs: 5 },
      context({ snapshot: true }),
    );
    const firstStreamed = positionKey(streamed(undefined, 900n), context());
    const later = positionKey(streamed(1_200n, 1_150n), context());

    // Act
    const order = [later, firstStreamed, snapshotRow].sort();

    // Assess
    expect(order).toEqual([snapshotRow, firstStreamed, later]);
  });

  it('gives every row of one snapshot the same position', () => {
    const a = positionKey(
      { lsn: 1_000n, sequence: undefined, sourceTsMs: 5 },
      context({ snapshot: true, offset: 1 }),
    );
    const b = positionKey(
      { lsn: 1_000n, sequence: undefined, sourceTsMs: 9 },
      context({ snapshot: true, offset: 7 }),
    );
    expect(a).toBe(b);
  });

  it('orders an incremental-snapshot row (one with a last commit) with the stream', () => {
    const streamedBefore = positionKey(streamed(2_000n, 2_010n), context());
    const incremental = positionKey(streamed(2_100n, 2_150n), context({ snapshot: true }));
    const streamedAfter = positionKey(streamed(2_200n, 2_120n), context());
    expect([streamedAfter, incremental, streamedBefore].sort()).toEqual([
      streamedBefore,
      incremental,
      streamedAfter,
    ]);
  });

  it('makes a higher SOURCE_EPOCH newer than anything before it, whatever its LSNs', () => {
    const old = positionKey(streamed(9_000_000n, 9_000_010n), context({ epoch: 0 }));
    const moved = positionKey(
      { lsn: 10n, sequence: { lastCommitLsn: undefined, lsn: 10n }, sourceTsMs: 1 },
      context({ epoch: 1, snapshot: true }),
    );
    expect(old < moved).toBe(true);
  });

  it('falls back to the change LSN without a sequence, then to source time and offset', () => {
    // Prepare
    const byLsn = { lsn: 500n, sequence: undefined, sourceTsMs: 1 };
    const byTime = { lsn: undefined, sequence: undefined, sourceTsMs: 1_736_937_000_000 };

    // Act
    const lower = positionKey({ ...byLsn, lsn: 499n }, context());
    const higher = positionKey(byLsn, context());
    const timeKeys = [
      positionKey(byTime, context({ offset: 8 })),
      positionKey(byTime, context({ offset: 7 })),
      positionKey({ ...byTime, sourceTsMs: byTime.sourceTsMs - 1 }, context({ offset: 9 })),
    ];

    // Assess
    expect(positionBasis(byLsn)).toBe(PositionBasis.LSN);
    expect(positionBasis(byTime)).toBe(PositionBasis.SOURCE_TIME);
    expect(lower < higher).toBe(true);
    expect([...timeKeys].sort()).toEqual([timeKeys[2], timeKeys[1], timeKeys[0]]);
  });

  it('sorts lexicographically like the numeric pair, for any LSNs up to 2^64 - 1', () => {
    const lsn = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(lsn, lsn, lsn, lsn, (c1, l1, c2, l2) => {
        const a = positionKey(streamed(c1, l1), context());
        const b = positionKey(streamed(c2, l2), context());
        const numeric = c1 === c2 ? Math.sign(Number(l1 - l2)) : c1 < c2 ? -1 : 1;
        const lexical = a === b ? 0 : a < b ? -1 : 1;
        expect(lexical).toBe(numeric);
      }),
    );
  });
});
