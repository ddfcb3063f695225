/**
 * One turn at a time per key: `run(keys, work)` starts `work` once every earlier turn on any of its keys has
 * ended. Keys are taken in sorted order, so two runs over the same pair of keys cannot wait on each other.
 */
export interface KeyTurns {
  run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T>;
}

export const keyTurns = (): KeyTurns => {
  const tails = new Map<string, Promise<void>>();

  const take = async (key: string): Promise<() => void> => {
    const previous = tails.get(key) ?? Promise.resolve();
    let release = (): void => undefined;
    const ended = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => ended);
    tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (tails.get(key) === tail) tails.delete(key);
    };
  };

  return {
    async run(keys, work) {
      const releases: Array<() => void> = [];
      try {
        for (const key of [...new Set(keys)].sort()) releases.push(await take(key));
        return await work();
      } finally {
        for (const release of releases.reverse()) release();
      }
    },
  };
};
