import type { SourcePosition } from '../decode/envelope.js';
import type { PositionKey } from './changes.js';

const WIDTH = 20;

const digits = (value: number | undefined): string => {
  const whole = value === undefined || value < 0 ? 0n : BigInt(Math.trunc(value));
  return whole.toString().padStart(WIDTH, '0');
};

/**
 * (LSN, source ms, Kafka offset) → a sortable key. LSN orders changes of one row; when it is absent
 * (unwrapped events without `__lsn`) the source time does; the Kafka offset breaks ties, so the same
 * record delivered twice has the same key and is recognised as a duplicate.
 */
export const positionKey = (source: SourcePosition, offset: number): PositionKey =>
  `${digits(source.lsn)}.${digits(source.sourceTsMs)}.${digits(offset)}`;
