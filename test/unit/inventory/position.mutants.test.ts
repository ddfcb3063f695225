import { describe, expect, it } from 'vitest';
import { positionKey, type SourcePosition } from '../../../lambda/inventory/position.js';

// Edges of positionKey that the ordering tests in position.test.ts never reach, found by `npm run mutate`:
// every key keeps one width, whatever the inputs, because DynamoDB compares keys as strings.

const context = { snapshot: false, epoch: 0, offset: 0 } as const;
/** epoch (4) + tier (1) + commit (16) + change (16) hex digits. */
const KEY_LENGTH = 37;
const MAX_LSN_HEX = 'f'.repeat(16);

const lsnOnly = (lsn: bigint): SourcePosition => ({ lsn, sequence: undefined, sourceTsMs: 1_000 });

describe('positionKey at the edges of its inputs', () => {
  it('clamps a change LSN past 64 bits to the largest one, keeping the key its fixed width', () => {
    // Arrange: 2^64 is one past the largest LSN PostgreSQL can write
    const source = lsnOnly(1n << 64n);

    // Act
    const key = positionKey(source, context);

    // Assert
    expect(key).toHaveLength(KEY_LENGTH);
    expect(key).toBe(`00001${MAX_LSN_HEX}${MAX_LSN_HEX}`);
  });

  it('clamps a negative change LSN to zero instead of writing a minus sign into the key', () => {
    // Arrange
    const source = lsnOnly(-5n);

    // Act
    const key = positionKey(source, context);

    // Assert
    expect(key).toBe(`00001${'0'.repeat(32)}`);
  });

  it('truncates a fractional source time to whole milliseconds (a hex fraction would break the width)', () => {
    // Arrange: no LSN at all, so the key rests on source time then offset
    const source: SourcePosition = { lsn: undefined, sequence: undefined, sourceTsMs: 255.75 };

    // Act
    const key = positionKey(source, { ...context, offset: 1 });

    // Assert
    expect(key).toBe(`00001${'0'.repeat(32)}${'ff'.padStart(12, '0')}${'1'.padStart(16, '0')}`);
  });

  it('orders by the change LSN alone when the sequence has a last commit but no LSN of its own', () => {
    // Arrange: a sequence without its second element is not a usable pair; its last commit is ignored
    const source: SourcePosition = {
      lsn: 0x500n,
      sequence: { lastCommitLsn: 0x400n, lsn: undefined },
      sourceTsMs: 1_000,
    };

    // Act
    const key = positionKey(source, context);

    // Assert
    expect(key).toBe(`00001${'500'.padStart(16, '0')}${'500'.padStart(16, '0')}`);
  });
});
