import { ErrorCode, PoisonRecordError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

const paddingOf = (base64: string): number => {
  if (base64.endsWith('==')) return 2;
  return base64.endsWith('=') ? 1 : 0;
};

/** Typical values are well under this; a larger one gets a buffer of its own. */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/**
 * Decodes base64 that must be canonical-alphabet, padded base64 (what the event source mapping sends), or
 * returns undefined. Node's decoder skips characters outside the alphabet and stops at padding in the
 * middle, so any such character leaves fewer bytes than the length promises; it also accepts the URL-safe
 * alphabet, which is refused explicitly. This replaces a regular expression over the whole value (a quarter
 * of the decode time, measured with `npm run bench`), and decodes into one reused buffer instead of a new
 * one per record: the bytes live only until they are turned into text, right after.
 */
const decodeBase64 = (base64: string): Uint8Array | undefined => {
  if (base64.length % 4 !== 0 || base64.includes('-') || base64.includes('_')) return undefined;
  const expected = (base64.length / 4) * 3 - paddingOf(base64);
  const target = expected <= SCRATCH_BYTES ? scratch : Buffer.allocUnsafe(expected);
  const written = target.write(base64, 0, 'base64');
  return written === expected ? target.subarray(0, written) : undefined;
};

/** Decodes one base64 Kafka payload to the JSON it carries. Throws a typed poison error otherwise. */
export const decodeJsonPayload = (base64: string, what: 'value' | 'key'): unknown => {
  if (base64.length === 0) {
    throw new PoisonRecordError(
      ErrorCode.EMPTY_VALUE,
      `Kafka ${what} is present but empty (not a tombstone)`,
    );
  }
  const bytes = decodeBase64(base64);
  if (bytes === undefined) {
    throw new PoisonRecordError(ErrorCode.INVALID_BASE64, `Kafka ${what} is not valid base64`);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
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
