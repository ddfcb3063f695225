import type { DeadLetter, DeadLetterError } from '../../lambda/store/dead-letter.js';

/** Replayed letters are moved under this prefix; listing skips it. */
export const REPLAYED_PREFIX = 'replayed/';

export interface Coordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** The second form, `<offset>~<digest>.json`, holds a different record met at the same coordinates. */
const KEY = /^([^/]+)\/(-?\d+)\/(-?\d+)(?:~[\w-]+)?\.json$/;

/**
 * `<encodeURIComponent(topic)>/<partition>/<offset>.json` (or `<offset>~<digest>.json`, see
 * alternateDeadLetterKey) → coordinates; undefined for any other key.
 */
export const parseLetterKey = (key: string): Coordinates | undefined => {
  const match = KEY.exec(key);
  if (match === null) return undefined;
  try {
    return {
      topic: decodeURIComponent(match[1] as string),
      partition: Number(match[2]),
      offset: Number(match[3]),
    };
  } catch {
    return undefined;
  }
};

/** Every failure of a letter, oldest first (letters always carry `errors`; `error` covers hand-made ones). */
export const failuresOf = (letter: DeadLetter): readonly DeadLetterError[] =>
  Array.isArray(letter.errors) && letter.errors.length > 0 ? letter.errors : [letter.error];

export const latestFailure = (letter: DeadLetter): DeadLetterError =>
  failuresOf(letter).at(-1) ?? letter.error;

/** When the record was first dead-lettered. */
export const deadLetteredAt = (letter: DeadLetter): Date => new Date(failuresOf(letter)[0]?.at ?? 0);
