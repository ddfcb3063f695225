import type { KafkaRecord } from '../decode/kafka-event.js';
import { isJsonObject } from '../decode/payload.js';
import { LedgerAttr } from '../store/ledger-attributes.js';

/**
 * DynamoDB Streams records of the ledger table, as Lambda delivers them (only the fields used here). TTL
 * deletions are REMOVE records whose userIdentity is the DynamoDB service itself.
 */
export interface LedgerStreamRecord {
  readonly eventName?: string;
  readonly userIdentity?: { readonly type?: string; readonly principalId?: string };
  readonly dynamodb?: { readonly OldImage?: Record<string, { S?: string; N?: string; BOOL?: boolean }> };
}

/** A pending order-line entry that DynamoDB's TTL removed: its product had not arrived when it was recorded. */
export interface ExpiredOrderLine {
  readonly productId: number;
  /** The entry key, `O<position>#<order line id>`. */
  readonly entry: string;
  readonly position: string;
  readonly record: KafkaRecord;
  /** The token of the last create attempt that summed it, if one did (store/create-counting.ts). */
  readonly countedBy?: string;
}

const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';

export const isTtlRemoval = (record: LedgerStreamRecord): boolean =>
  record.eventName === 'REMOVE' &&
  record.userIdentity?.type === 'Service' &&
  record.userIdentity.principalId === TTL_PRINCIPAL;

const parseRecord = (raw: string | undefined): KafkaRecord | undefined => {
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isJsonObject(parsed) && typeof parsed.topic === 'string'
      ? (parsed as unknown as KafkaRecord)
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Pure: the expired pending order lines among a batch of stream records. Everything else (heads, entries
 * recorded while their product existed, deletions by anyone but TTL, inserts and updates) is not for us.
 */
export const expiredPendingOrderLines = (records: readonly LedgerStreamRecord[]): ExpiredOrderLine[] =>
  records.flatMap((record) => {
    const image = record.dynamodb?.OldImage;
    if (!isTtlRemoval(record) || image?.[LedgerAttr.PENDING]?.BOOL !== true) return [];
    const entry = image[LedgerAttr.ENTRY]?.S;
    const productId = Number(image[LedgerAttr.PRODUCT_ID]?.N);
    const kafkaRecord = parseRecord(image[LedgerAttr.SOURCE_RECORD]?.S);
    if (
      entry === undefined ||
      !entry.startsWith('O') ||
      !Number.isSafeInteger(productId) ||
      kafkaRecord === undefined
    ) {
      return [];
    }
    const countedBy = image[LedgerAttr.COUNTED_BY]?.S;
    return [
      {
        productId,
        entry,
        position: entry.slice(1, entry.indexOf('#')),
        record: kafkaRecord,
        ...(countedBy === undefined ? {} : { countedBy }),
      },
    ];
  });
