import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../lambda/decode/decode-record.js';
import { ErrorCode } from '../../../lambda/errors.js';
import type { SkippedRecord } from '../../../lambda/inventory/changes.js';
import { captureError, expectPoison } from '../support/errors.js';
import { fixtureRecord, loadFixture, mskRecord, ORDER_ITEMS_TOPIC, topicConfig } from '../support/records.js';

const hex16 = (value: number): string => value.toString(16).padStart(16, '0');

describe('decodeRecord, TRUNCATE of order_items', () => {
  it('skips it as ORDER_ITEMS_TRUNCATED with its commit position, in every stock model', () => {
    // Prepare
    const record = fixtureRecord('order-items-truncate.json', { topic: ORDER_ITEMS_TOPIC, offset: 9 });

    // Act
    const decoded = (['orders', 'products', 'ledger'] as const).map(
      (stockModel) => decodeRecord(record, { ...topicConfig, stockModel }) as SkippedRecord,
    );

    // Assess
    for (const skipped of decoded) {
      expect(skipped).toMatchObject({
        type: 'Skipped',
        reason: 'ORDER_ITEMS_TRUNCATED',
        position: `00001${hex16(24_051_992)}${hex16(24_052_000)}`,
        record,
      });
      expect(skipped.detail).toContain('TRUNCATE of dbserver1.public.order_items');
      expect(skipped.detail).toContain('reconcile');
    }
  });

  it('places it in the epoch its connector stamped', () => {
    // Prepare
    const record = {
      ...fixtureRecord('order-items-truncate.json', { topic: ORDER_ITEMS_TOPIC }),
      headers: [{ 'cdc.epoch': [...Buffer.from('3')] }],
    };

    // Act
    const decoded = decodeRecord(record, topicConfig) as SkippedRecord;

    // Assess
    expect(decoded.position?.slice(0, 4)).toBe('0003');
  });

  it('still skips one whose source position is unreadable, without a position', () => {
    // Prepare
    const json = loadFixture('order-items-truncate.json');
    (json.source as Record<string, unknown>).sequence = 'not a sequence';
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: json });

    // Act
    const decoded = decodeRecord(record, topicConfig) as SkippedRecord;

    // Assess
    expect(decoded.reason).toBe('ORDER_ITEMS_TRUNCATED');
    expect(decoded.position).toBeUndefined();
  });

  it('dead-letters one whose epoch header is malformed, like any other record', () => {
    // Prepare
    const record = {
      ...fixtureRecord('order-items-truncate.json', { topic: ORDER_ITEMS_TOPIC }),
      headers: [{ 'cdc.epoch': [...Buffer.from('x')] }],
    };

    // Act
    const error = captureError(() => decodeRecord(record, topicConfig));

    // Assess
    expectPoison(error, ErrorCode.INVALID_FIELD);
  });

  it('leaves a logical-decoding message on order_items an ignored row-less op', () => {
    // Prepare
    const json = { ...loadFixture('order-items-truncate.json'), op: 'm' };
    const record = mskRecord({ topic: ORDER_ITEMS_TOPIC, value: json });

    // Act
    const decoded = decodeRecord(record, topicConfig) as SkippedRecord;

    // Assess
    expect(decoded.reason).toBe('ROWLESS_OP');
  });
});
