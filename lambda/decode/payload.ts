import { ErrorCode, PoisonRecordError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

const paddingOf = (base64: string): number => {
  if (base64.endsWith('==')) return 2;
  return base64.endsWith('=') ? 1 : 0;
};

/** Typical non-ASCII values are well under this; a larger one gets a buffer of its own. */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/** A string whose UTF-8 length equals its length holds only ASCII characters. */
const isAscii = (text: string): boolean => Buffer.byteLength(text, 'utf8') === text.length;

/**
 * Decodes canonical-alphabet, padded base64 (what the event source mapping sends) to one character per
 * byte, or returns undefined. `atob` refuses characters outside the alphabet (URL-safe ones and anything
 * above U+007F included) and padding in the middle; it drops whitespace, which leaves fewer bytes than the
 * length promises. It is also the fastest decoder here: a native pass straight to a string, no buffer,
 * where `Buffer.write` + `TextDecoder` took twice as long (`npm run bench`, decode figure).
 */
const decodeBase64ToLatin1 = (base64: string): string | undefined => {
  if (base64.length % 4 !== 0) return undefined;
  let latin1: string;
  try {
    latin1 = atob(base64);
  } catch {
    return undefined;
  }
  return latin1.length === (base64.length / 4) * 3 - paddingOf(base64) ? latin1 : undefined;
};

/** Bytes above 0x7F make the one-character-per-byte string a UTF-8 sequence still to decode, strictly. */
const utf8BytesOf = (latin1: string): Uint8Array => {
  const target = latin1.length <= SCRATCH_BYTES ? scratch : Buffer.allocUnsafe(latin1.length);
  const written = target.write(latin1, 0, 'latin1');
  return target.subarray(0, written);
};

/** Decodes one base64 Kafka payload to the JSON it carries. Throws a typed poison error otherwise. */
export const decodeJsonPayload = (base64: string, what: 'value' | 'key'): unknown => {
  if (base64.length === 0) {
    throw new PoisonRecordError(
      ErrorCode.EMPTY_VALUE,
      `Kafka ${what} is present but empty (not a tombstone)`,
    );
  }
  const latin1 = decodeBase64ToLatin1(base64);
  if (latin1 === undefined) {
    throw new PoisonRecordError(ErrorCode.INVALID_BASE64, `Kafka ${what} is not valid base64`);
  }
  let text = latin1;
  if (!isAscii(latin1)) {
    try {
      text = utf8.decode(utf8BytesOf(latin1));
    } catch (cause) {
      throw new PoisonRecordError(ErrorCode.INVALID_UTF8, `Kafka ${what} is not valid UTF-8`, { cause });
    }
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new PoisonRecordError(ErrorCode.INVALID_JSON, `Kafka ${what} is not valid JSON`, { cause });
  }
};

export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
