import type { TestKafkaRecord } from './debezium.js';

export type PartitionLogs = ReadonlyMap<string, readonly TestKafkaRecord[]>;

/** The consumer group's committed position per partition log. */
export interface CommittedOffsets {
  of(key: string): number;
  commit(key: string, index: number): void;
  /** A partition with records past its committed position, chosen at random; undefined once all are done. */
  pickPending(random: () => number): [string, readonly TestKafkaRecord[]] | undefined;
}

export const committedOffsets = (logs: PartitionLogs): CommittedOffsets => {
  const committed = new Map([...logs.keys()].map((key) => [key, 0]));
  const of = (key: string): number => committed.get(key) ?? 0;
  return {
    of,
    commit: (key, index) => {
      committed.set(key, index);
    },
    pickPending: (random) => {
      const pending = [...logs].filter(([key, log]) => of(key) < log.length);
      return pending.length === 0 ? undefined : pending[Math.floor(random() * pending.length)];
    },
  };
};
