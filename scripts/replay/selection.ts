import type { DeadLetter } from '../../lambda/store/dead-letter.js';
import { type Coordinates, deadLetteredAt, latestFailure } from './letter-key.js';
import type { ReplayFilters } from './options.js';

/** Pure: whether a letter's coordinates (from its key, else its record) pass the coordinate filters. */
export const matchesCoordinates = (
  filters: ReplayFilters,
  key: string,
  coordinates: Coordinates | undefined,
): boolean => {
  if (filters.keys !== undefined && !filters.keys.has(key)) return false;
  const needsCoordinates =
    filters.topic !== undefined ||
    filters.partition !== undefined ||
    filters.fromOffset !== undefined ||
    filters.toOffset !== undefined;
  if (!needsCoordinates) return true;
  if (coordinates === undefined) return false;
  return (
    (filters.topic === undefined || coordinates.topic === filters.topic) &&
    (filters.partition === undefined || coordinates.partition === filters.partition) &&
    (filters.fromOffset === undefined || coordinates.offset >= filters.fromOffset) &&
    (filters.toOffset === undefined || coordinates.offset <= filters.toOffset)
  );
};

/** Pure: the filters that need the letter's body: latest error code and time of the first failure. */
export const matchesLetter = (filters: ReplayFilters, letter: DeadLetter): boolean => {
  if (filters.codes !== undefined && !filters.codes.has(latestFailure(letter).code)) return false;
  const at = deadLetteredAt(letter);
  if (filters.since !== undefined && at < filters.since) return false;
  if (filters.until !== undefined && at >= filters.until) return false;
  return true;
};

/**
 * Pure: replay order. Product letters first (a product that arrives by replay must precede its order
 * items), then every other topic; within a topic by partition, then by numeric offset.
 */
export const compareForReplay =
  (productsTopic: string) =>
  (a: Coordinates, b: Coordinates): number => {
    const rank = (coordinates: Coordinates) => (coordinates.topic === productsTopic ? 0 : 1);
    return (
      rank(a) - rank(b) ||
      (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) ||
      a.partition - b.partition ||
      a.offset - b.offset
    );
  };
