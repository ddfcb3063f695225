import type { SourcePosition } from '../decode/envelope.js';
import type { PositionKey } from './changes.js';

const WIDTH = 20;

const digits = (value: number | undefined): string => {
  const whole = value === undefined || value < 0 ? 0 : Math.trunc(value);
  // String() is exact below 2^53 and several times cheaper than BigInt; beyond, it would use an exponent.
  return (Number.isSafeInteger(whole) ? String(whole) : BigInt(whole).toString()).padStart(WIDTH, '0');
};

/**
 * (LSN, source ms, Kafka offset) → a sortable key. Postgres gives every row change its own LSN, so when the
 * event carries one it alone identifies the change: a connector that re-emits changes after a restart
 * produces the same key at a new offset, and the copy is recognised as a duplicate. Without an LSN
 * (unwrapped events without `__lsn`) the source time orders changes and the Kafka offset breaks ties
 * between changes committed in the same millisecond.
 */
export const positionKey = (source: SourcePosition, offset: number): PositionKey =>
  `${digits(source.lsn)}.${digits(source.sourceTsMs)}.${digits(source.lsn === undefined ? offset : 0)}`;
