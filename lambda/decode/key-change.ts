import type { KafkaRecord } from './kafka-event.js';

/**
 * Debezium writes a primary-key change (`UPDATE products SET id = …`) as a delete of the old key carrying
 * header `__debezium.newkey` and a create of the new key carrying `__debezium.oldkey`, both at the change's
 * position. The header holds the key as the worker's header converter renders it: JSON (`{"id":10}`, or
 * `{"schema":…,"payload":{"id":10}}`) with the JSON converter, `Struct{id=10}` with Connect's default
 * SimpleHeaderConverter.
 */
export const KeyChangeHeader = { OLD_KEY: '__debezium.oldkey', NEW_KEY: '__debezium.newkey' } as const;
export type KeyChangeHeader = (typeof KeyChangeHeader)[keyof typeof KeyChangeHeader];

const ID_IN_KEY = /(?:^|[{,\s"])id"?\s*[:=]\s*(-?\d+)\s*[,}]/;

const textOf = (bytes: ReadonlyArray<number>): string =>
  String.fromCharCode(...bytes.map((byte) => byte & 0xff));

/**
 * The other key's `id` named by a key-change header, or undefined when the record has none or it cannot be
 * read (the change is then applied as Debezium wrote it, without tying the two keys).
 */
export const keyChangeId = (
  record: Pick<KafkaRecord, 'headers'>,
  header: KeyChangeHeader,
): number | undefined => {
  for (const entry of record.headers ?? []) {
    const bytes = typeof entry === 'object' && entry !== null ? entry[header] : undefined;
    if (!Array.isArray(bytes) || bytes.length > 4096) continue;
    const match = ID_IN_KEY.exec(textOf(bytes));
    const id = match === null ? undefined : Number(match[1]);
    if (id !== undefined && Number.isSafeInteger(id)) return id;
  }
  return undefined;
};
