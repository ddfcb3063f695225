import type { ProductColumns, ProductDeleted, ProductUpserted } from '../inventory/changes.js';
import { positionKey } from '../inventory/position.js';
import { isNotSent, keyRow, readId, readInteger, readString, requireId } from './columns.js';
import { type DecimalDefaults, decodeDecimal } from './decimal.js';
import { Op, type RowChange } from './envelope.js';
import type { KafkaRecord } from './kafka-event.js';
import { KeyChangeHeader, keyChangeId } from './key-change.js';
import { toIsoTimestamp } from './timestamp.js';

const readDescription = (row: RowChange['row']): string | null | undefined => {
  const value = row.description;
  if (value === null) return null;
  return readString(row, 'description');
};

/**
 * The contract's `price NUMERIC(10,2)`. Registry-converted values carry neither scale nor precision, so these
 * stand in for the Avro schema's; the precision only with the contract's scale, since PRICE_SCALE set to
 * anything else means a column of another, unknown, precision.
 */
const CONTRACT_PRICE = { scale: 2, precision: 10 } as const;

const priceDefaults = (priceScale: number): DecimalDefaults =>
  priceScale === CONTRACT_PRICE.scale ? CONTRACT_PRICE : { scale: priceScale };

const readColumns = (change: RowChange, priceScale: number): ProductColumns => {
  const { row, fieldSchemas } = change;
  const name = readString(row, 'name');
  const description = readDescription(row);
  const price = isNotSent(row.price)
    ? undefined
    : decodeDecimal(row.price, fieldSchemas.get('price'), priceDefaults(priceScale), change.rendering);
  const stockQuantity = readInteger(row, 'stock_quantity');
  return {
    ...(name === undefined ? {} : { name }),
    ...(description === undefined ? {} : { description }),
    ...(price === undefined ? {} : { price }),
    ...(stockQuantity === undefined ? {} : { stockQuantity }),
  };
};

/** `updated_at` when the row carries it, else when the change happened at the source. */
const lastUpdatedOf = (change: RowChange, record: KafkaRecord): string =>
  isNotSent(change.row.updated_at)
    ? new Date(change.position.sourceTsMs ?? change.eventTsMs ?? record.timestamp).toISOString()
    : toIsoTimestamp(change.row.updated_at, change.fieldSchemas.get('updated_at'));

/** What decoding a products change needs: the configuration's price scale and the record's epoch. */
export interface ChangeDecodeOptions {
  readonly priceScale: number;
  /** The record's epoch (record-epoch.ts): its header's, else SOURCE_EPOCH. */
  readonly epoch: number;
}

const optional = <K extends string>(name: K, value: number | undefined) =>
  (value === undefined ? {} : { [name]: value }) as Partial<Record<K, number>>;

export const changePosition = (change: RowChange, record: KafkaRecord, epoch: number) =>
  positionKey(change.position, {
    snapshot: change.op === Op.READ,
    epoch,
    offset: record.offset,
  });

export const toProductUpserted = (
  change: RowChange,
  record: KafkaRecord,
  options: ChangeDecodeOptions,
): ProductUpserted => ({
  type: 'ProductUpserted',
  productId: requireId(change.row, 'id'),
  position: changePosition(change, record, options.epoch),
  snapshot: change.op === Op.READ,
  ...(change.op === Op.CREATE ? { created: true } : {}),
  ...optional(
    'oldProductId',
    change.op === Op.CREATE ? keyChangeId(record, KeyChangeHeader.OLD_KEY) : undefined,
  ),
  sourceTsMs: change.position.sourceTsMs,
  columns: readColumns(change, options.priceScale),
  lastUpdated: lastUpdatedOf(change, record),
  cdcTimestamp: change.eventTsMs ?? change.position.sourceTsMs ?? record.timestamp,
  record,
});

/**
 * A delete is applied by key only: the before image of real connectors holds the key and nulls that mean
 * "not sent", and unwrapped deletes may carry placeholder values.
 */
export const toProductDeleted = (change: RowChange, record: KafkaRecord, epoch: number): ProductDeleted => ({
  type: 'ProductDeleted',
  productId: readId(change.row, 'id') ?? requireId(keyRow(record.key), 'id'),
  ...optional('newProductId', keyChangeId(record, KeyChangeHeader.NEW_KEY)),
  position: changePosition(change, record, epoch),
  sourceTsMs: change.position.sourceTsMs,
  record,
});

export const toProductChange = (
  change: RowChange,
  record: KafkaRecord,
  options: ChangeDecodeOptions,
): ProductUpserted | ProductDeleted =>
  change.op === Op.DELETE
    ? toProductDeleted(change, record, options.epoch)
    : toProductUpserted(change, record, options);
