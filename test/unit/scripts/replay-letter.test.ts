import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../../lambda/decode/kafka-event.js';
import { ErrorCode } from '../../../lambda/errors.js';
import type { ProductUpserted } from '../../../lambda/inventory/changes.js';
import { buildDeadLetter } from '../../../lambda/store/dead-letter.js';
import { decodeLetter, recordOf } from '../../../scripts/replay/replay-letter.js';
import { fixtureRecord, topicConfig } from '../support/records.js';

const AT = new Date('2025-01-15T10:30:05.250Z');

const stamped = (record: KafkaRecord, epoch: string): KafkaRecord => ({
  ...record,
  headers: [{ trace: [97] }, { 'cdc.epoch': [...Buffer.from(epoch, 'utf8')] }],
});

describe('replay keeps the record as delivered', () => {
  it('rebuilds the record with its headers, so the epoch its connector stamped survives the letter', () => {
    // Prepare: a record of epoch 2 dead-lettered by a later failure (a write refused), replayed with SOURCE_EPOCH 0
    const record = stamped(fixtureRecord('products-create-schema.json', { offset: 41 }), '2');
    const letter = JSON.parse(
      JSON.stringify(buildDeadLetter(record, { code: ErrorCode.STORE_REJECTED, message: 'refused' }, AT)),
    );

    // Act
    const rebuilt = recordOf(letter);
    const decoded = decodeLetter(letter, { ...topicConfig, sourceEpoch: 0 }) as ProductUpserted;

    // Assess
    expect(rebuilt.headers).toEqual(record.headers);
    expect(decoded.type).toBe('ProductUpserted');
    expect(decoded.position.slice(0, 4)).toBe('0002');
  });

  it('refuses again a letter whose epoch header is malformed, with the same code', () => {
    // Prepare
    const record = stamped(fixtureRecord('products-create-schema.json', { offset: 42 }), '-1');
    const letter = buildDeadLetter(record, { code: ErrorCode.INVALID_FIELD, message: 'bad epoch' }, AT);

    // Act
    const decoded = decodeLetter(letter, topicConfig);

    // Assess
    expect(decoded).toMatchObject({ type: 'Poison', code: ErrorCode.INVALID_FIELD });
  });
});
