import { describe, expect, it } from 'vitest';
import { flattenRecords, type KafkaRecord } from '../../../lambda/decode/kafka-event.js';
import { ErrorCode } from '../../../lambda/errors.js';
import type { ProductUpserted } from '../../../lambda/inventory/changes.js';
import { buildDeadLetter } from '../../../lambda/store/dead-letter.js';
import {
  decodeLetter,
  LetterOutcome,
  type ReplayTarget,
  recordOf,
  replayDecoded,
} from '../../../scripts/replay/replay-letter.js';
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

describe('replay and a malformed entry', () => {
  it('calls its letter unreplayable instead of decoding the record made up around it as a tombstone', async () => {
    // Prepare
    const [record] = flattenRecords({
      eventSource: 'aws:kafka',
      records: { 'dbserver1.public.products-0': [{ foo: 1 }] },
    });
    const letter = buildDeadLetter(
      record as KafkaRecord,
      { code: ErrorCode.MALFORMED_RECORD, message: 'no offset' },
      AT,
    );

    // Act
    const decoded = decodeLetter(letter, topicConfig);
    const result = await replayDecoded({} as ReplayTarget, decoded);

    // Assess
    expect(decoded.type).toBe('Unreplayable');
    expect(result.outcome).toBe(LetterOutcome.UNREPLAYABLE);
    expect(result.detail).toContain('MALFORMED_RECORD');
  });
});
