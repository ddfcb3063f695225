import { ErrorCode, PoisonRecordError } from '../errors.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes one base64 Kafka payload to the JSON it carries. Throws a typed poison error otherwise. */
export const decodeJsonPayload = (base64: string, what: 'value' | 'key'): unknown => {
  if (base64.length === 0) {
    throw new PoisonRecordError(
      ErrorCode.EMPTY_VALUE,
      `Kafka ${what} is present but empty (not a tombstone)`,
    );
  }
  if (base64.length % 4 !== 0 || !BASE64.test(base64)) {
    throw new PoisonRecordError(ErrorCode.INVALID_BASE64, `Kafka ${what} is not valid base64`);
  }
  let text: string;
  try {
    text = utf8.decode(Buffer.from(base64, 'base64'));
  } catch (cause) {
    throw new PoisonRecordError(ErrorCode.INVALID_UTF8, `Kafka ${what} is not valid UTF-8`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new PoisonRecordError(ErrorCode.INVALID_JSON, `Kafka ${what} is not valid JSON`, { cause });
  }
};

export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
