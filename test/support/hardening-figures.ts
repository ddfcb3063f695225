/**
 * Figures the hardening tests collect while they run, printed once per test file so that
 * README's Reliability section quotes numbers from an actual run (`npm test` or `npm run soak`).
 */
export interface Figures {
  [name: string]: number | Record<string, number>;
}

/** Runs (fast-check cases) per property; SOAK_FACTOR multiplies every default for `npm run soak`. */
export const runs = (defaultRuns: number): number =>
  Math.max(1, Math.round(defaultRuns * Number(process.env.SOAK_FACTOR ?? 1)));

/** A test's timeout, stretched by the same factor as its runs. */
export const scaledTimeout = (ms: number): number =>
  Math.round(ms * Math.max(1, Number(process.env.SOAK_FACTOR ?? 1)));

export const tally = (counts: Record<string, number>, key: string, by = 1): void => {
  counts[key] = (counts[key] ?? 0) + by;
};

export const printFigures = (title: string, figures: Figures): void => {
  console.info(`[hardening figures] ${title} ${JSON.stringify(figures)}`);
};
