import { describe, expect, it } from 'vitest';
import { KeyChangeHeader, keyChangeId } from '../../../lambda/decode/key-change.js';

const header = (name: string, text: string) => ({ headers: [{ [name]: [...Buffer.from(text, 'utf8')] }] });

describe('keyChangeId', () => {
  it.each([
    ['the JSON converter', '{"id":10}', 10],
    ['the JSON converter with schemas', '{"schema":{"type":"struct"},"payload":{"id":-7}}', -7],
    ['Connect’s SimpleHeaderConverter', 'Struct{id=0}', 0],
  ])('reads the other key’s id as %s renders it', (_, text, expected) => {
    // Prepare
    const record = header(KeyChangeHeader.OLD_KEY, text);

    // Act
    const id = keyChangeId(record, KeyChangeHeader.OLD_KEY);

    // Assess
    expect(id).toBe(expected);
  });

  it.each([
    ['no headers', { headers: [] }],
    ['another header', header('cdc.epoch', '1')],
    ['an unreadable value', header(KeyChangeHeader.NEW_KEY, 'Struct{sku=ab}')],
    ['a column whose name ends in id', header(KeyChangeHeader.NEW_KEY, '{"order_id":5}')],
  ])('is undefined with %s', (_, record) => {
    // Act
    const id = keyChangeId(record, KeyChangeHeader.NEW_KEY);

    // Assess
    expect(id).toBeUndefined();
  });
});
