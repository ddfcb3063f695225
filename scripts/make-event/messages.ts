import { InputError } from '../cli/errors.js';
import type { JsonElement } from './json-text.js';

/** One input file's change events, named for error messages. */
export interface ChangeFile {
  readonly name: string;
  readonly elements: ReadonlyArray<JsonElement>;
}

/** A Kafka message before it has a partition and an offset: key and value as the bytes' text. */
export interface Message {
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: number | undefined;
}

export interface KeyOptions {
  readonly topic: string;
  /** Column of the row that forms the key, as Debezium's key is the primary key (`id`). */
  readonly keyField: string;
  /** Wrap the key in `{schema, payload}`, as the JsonConverter does with `key.converter.schemas.enable`. */
  readonly keySchema: boolean;
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `kcat -J` prints each message as `{topic, partition, offset, ts, key, payload, …}` with key and payload as text. */
const isKcatMessage = (value: JsonObject): boolean =>
  'payload' in value &&
  'key' in value &&
  !('schema' in value) &&
  !('op' in value) &&
  (typeof value.payload === 'string' || value.payload === null) &&
  (typeof value.key === 'string' || value.key === null);

const payloadOf = (event: JsonObject): unknown =>
  'schema' in event && 'payload' in event ? event.payload : event;

/** The row the key comes from: `after`, else `before` (deletes), else the flat ExtractNewRecordState row. */
const rowOf = (event: JsonObject): JsonObject | undefined => {
  const payload = payloadOf(event);
  if (!isObject(payload)) return undefined;
  if (!('op' in payload)) return payload;
  if (isObject(payload.after)) return payload.after;
  return isObject(payload.before) ? payload.before : undefined;
};

const timestampOf = (event: JsonObject): number | undefined => {
  const payload = payloadOf(event);
  if (!isObject(payload)) return undefined;
  const candidate = payload.ts_ms ?? payload.__ts_ms ?? payload.__source_ts_ms;
  return Number.isSafeInteger(candidate) ? (candidate as number) : undefined;
};

const keySchemaType = (value: unknown): JsonObject => {
  if (typeof value === 'string') return { type: 'string', optional: false };
  const isInt32 =
    Number.isSafeInteger(value) && (value as number) >= -0x80000000 && (value as number) <= 0x7fffffff;
  // Debezium gives SERIAL keys a default of 0: a Connect artefact, not the database's default.
  return { type: isInt32 ? 'int32' : 'int64', optional: false, default: 0 };
};

export const keyText = (keyValue: unknown, options: KeyOptions): string => {
  const payload = { [options.keyField]: keyValue };
  if (!options.keySchema) return JSON.stringify(payload);
  const schema = {
    type: 'struct',
    fields: [{ ...keySchemaType(keyValue), field: options.keyField }],
    optional: false,
    name: `${options.topic}.Key`,
  };
  return JSON.stringify({ schema, payload });
};

const fromKcat = (value: JsonObject): Message => ({
  key: value.key as string | null,
  value: value.payload as string | null,
  timestamp: Number.isSafeInteger(value.ts) ? (value.ts as number) : undefined,
});

const fromChangeEvent = (element: JsonElement, options: KeyOptions, where: string): Message => {
  const event = element.value as JsonObject;
  const keyValue = rowOf(event)?.[options.keyField];
  if (typeof keyValue !== 'number' && typeof keyValue !== 'string') {
    throw new InputError(
      `${where}: no '${options.keyField}' in the event's after/before row to build the Kafka key from ` +
        `(use --key-field, or give the key explicitly in kcat -J form)`,
    );
  }
  return { key: keyText(keyValue, options), value: element.text, timestamp: timestampOf(event) };
};

/**
 * Turns each input element into a Kafka message, in input order:
 * `null` is a tombstone with the key of the message before it (the delete it follows);
 * a `kcat -J` object carries its own key and value text (which may be anything, even invalid JSON);
 * anything else is a Debezium change event, keyed by its row's primary key.
 */
export const toMessages = (files: ReadonlyArray<ChangeFile>, options: KeyOptions): Message[] => {
  const messages: Message[] = [];
  for (const file of files) {
    file.elements.forEach((element, index) => {
      const where = `${file.name} event #${index + 1}`;
      const previous = messages.at(-1);
      if (element.value === null) {
        if (previous === undefined) {
          throw new InputError(`${where}: a tombstone (null) needs the event it follows, to take its key`);
        }
        messages.push({ key: previous.key, value: null, timestamp: previous.timestamp });
      } else if (!isObject(element.value)) {
        throw new InputError(`${where}: expected a change event object or null, got ${typeof element.value}`);
      } else {
        messages.push(
          isKcatMessage(element.value) ? fromKcat(element.value) : fromChangeEvent(element, options, where),
        );
      }
    });
  }
  return messages;
};
