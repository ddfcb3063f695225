/**
 * Kafka's murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`), which the default producer partitioner
 * applies to the serialized key. 32-bit signed arithmetic throughout, as in Java.
 */
export const murmur2 = (data: Uint8Array): number => {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length - (length % 4);
  for (let index = 0; index < whole; index += 4) {
    let k =
      (data[index] as number) |
      ((data[index + 1] as number) << 8) |
      ((data[index + 2] as number) << 16) |
      ((data[index + 3] as number) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length % 4;
  if (rest === 3) h ^= (data[whole + 2] as number) << 16;
  if (rest >= 2) h ^= (data[whole + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[whole] as number;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
};

/** The partition Kafka's default partitioner picks for a keyed record: `toPositive(murmur2(key)) % n`. */
export const partitionForKey = (keyBytes: Uint8Array, partitionCount: number): number =>
  (murmur2(keyBytes) & 0x7fffffff) % partitionCount;
