/**
 * A short, jittered pause before re-reading after losing a race: two writers of one hot product (the two
 * mappings, or overlapping invocations) that retry at once would otherwise keep colliding.
 */
export const backoffAfterContention = (attempt: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, Math.random() * Math.min(200, 10 * 2 ** attempt));
  });
