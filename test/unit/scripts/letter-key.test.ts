import { describe, expect, it } from 'vitest';
import { alternateDeadLetterKey, deadLetterKey } from '../../../lambda/store/dead-letter.js';
import { parseLetterKey } from '../../../scripts/replay/letter-key.js';

describe('parseLetterKey', () => {
  it('reads both key forms the dead-letter store writes back to the same coordinates', () => {
    // Prepare
    const record = {
      topic: 'dbserver1.public.order_items',
      partition: 3,
      offset: 1042,
      key: null,
      value: 'eA==',
      timestamp: 1,
      headers: [],
    };

    // Act
    const keys = [deadLetterKey(record), alternateDeadLetterKey(record)];

    // Assess
    expect(keys.map(parseLetterKey)).toEqual([
      { topic: 'dbserver1.public.order_items', partition: 3, offset: 1042 },
      { topic: 'dbserver1.public.order_items', partition: 3, offset: 1042 },
    ]);
  });

  it.each(['replayed/x/1/2.json', 'a/1/2.txt', 'a/1/2~.json', 'a/b/2.json'])('ignores %s', (key) => {
    expect(parseLetterKey(key)).toBeUndefined();
  });
});
