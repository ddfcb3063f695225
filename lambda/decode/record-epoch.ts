import { ErrorCode, PoisonRecordError } from '../errors.js';
import { preview } from './columns.js';
import type { KafkaRecord } from './kafka-event.js';

/** The header the connector's `InsertHeader` transform writes, unless EPOCH_HEADER names another. */
export const DEFAULT_EPOCH_HEADER = 'cdc.epoch';

/** Position keys hold the epoch in 4 hex digits (lambda/inventory/position.ts). */
export const MAX_EPOCH = 0xffff;

/** What deciding a record's epoch needs from the configuration. */
export interface EpochSettings {
  /** SOURCE_EPOCH: the epoch of records that carry no epoch header (connectors set up before headers). */
  readonly sourceEpoch: number;
  /** EPOCH_HEADER; absent means DEFAULT_EPOCH_HEADER. */
  readonly epochHeader?: string;
}

const invalidEpoch = (header: string, detail: string): PoisonRecordError =>
  new PoisonRecordError(
    ErrorCode.INVALID_FIELD,
    `Header '${header}' must be the epoch as decimal text, 0..${MAX_EPOCH}; ${detail}`,
  );

/**
 * Lambda hands a header value over as the array of its bytes. Kafka Connect's default header converter
 * (SimpleHeaderConverter) writes InsertHeader's literal as its string form in UTF-8, so the epoch arrives
 * as ASCII digits. A byte may come signed (a Java byte) or unsigned; both are read as the same octet.
 */
const headerText = (header: string, bytes: unknown): string => {
  if (!Array.isArray(bytes)) throw invalidEpoch(header, `got ${preview(bytes)}`);
  if (bytes.length > 5) throw invalidEpoch(header, `got ${bytes.length} bytes`);
  let text = '';
  for (const byte of bytes) {
    if (!Number.isInteger(byte) || byte < -128 || byte > 255) {
      throw invalidEpoch(header, `got a byte ${preview(byte)}`);
    }
    text += String.fromCharCode(byte & 0xff);
  }
  return text;
};

const parseEpoch = (header: string, text: string): number => {
  if (!/^\d{1,5}$/.test(text)) throw invalidEpoch(header, `got ${preview(text)}`);
  const epoch = Number(text);
  if (epoch > MAX_EPOCH) throw invalidEpoch(header, `got ${epoch}`);
  return epoch;
};

/**
 * The epoch a record belongs to: the one its connector stamped at produce time, so that a record of the old
 * database consumed after the new one started streaming still ranks below everything of the new one; else,
 * for records without the header, SOURCE_EPOCH. Kafka allows a header name more than once: copies that agree
 * are one epoch, copies that disagree make the record unorderable, and a value that is not an epoch is never
 * replaced by SOURCE_EPOCH (that would rank the record in an epoch it may not belong to). Both are poison.
 */
export const recordEpoch = (record: Pick<KafkaRecord, 'headers'>, settings: EpochSettings): number => {
  const header = settings.epochHeader ?? DEFAULT_EPOCH_HEADER;
  let epoch: number | undefined;
  for (const entry of record.headers ?? []) {
    if (typeof entry !== 'object' || entry === null || !Object.hasOwn(entry, header)) continue;
    const value = parseEpoch(header, headerText(header, entry[header]));
    if (epoch !== undefined && epoch !== value) {
      throw invalidEpoch(header, `the record carries both ${epoch} and ${value}`);
    }
    epoch = value;
  }
  return epoch ?? settings.sourceEpoch;
};
