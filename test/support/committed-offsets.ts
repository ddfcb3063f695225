import type { LogEntry, Logs } from './scenario.js';

/** The consumer group's committed offset per partition log, which both delivery simulators advance. */
export interface CommittedOffsets {
  of(key: string): number;
  commit(key: string, offset: number): void;
  /** A partition with records past its committed offset, chosen at random; undefined once all are done. */
  pickPending(random: () => number): [string, LogEntry[]] | undefined;
}

export const committedOffsets = (logs: Logs): CommittedOffsets => {
  const committed = new Map([...logs.keys()].map((key) => [key, 0]));
  const of = (key: string): number => committed.get(key) ?? 0;
  return {
    of,
    commit: (key, offset) => {
      committed.set(key, offset);
    },
    pickPending: (random) => {
      const pending = [...logs].filter(([key, log]) => of(key) < log.length);
      return pending.length === 0 ? undefined : pending[Math.floor(random() * pending.length)];
    },
  };
};
