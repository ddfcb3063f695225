import { describe, expect, it } from 'vitest';
import { expiredPendingOrderLines, type LedgerStreamRecord } from '../../../lambda/expiry/expired-entries.js';

const record = {
  topic: 'dbserver1.public.order_items',
  partition: 1,
  offset: 7,
  timestamp: 1,
  key: null,
  value: 'e30=',
  headers: [],
};

const removal = (
  image: Record<string, unknown>,
  identity: LedgerStreamRecord['userIdentity'],
): LedgerStreamRecord => ({
  eventName: 'REMOVE',
  ...(identity === undefined ? {} : { userIdentity: identity }),
  dynamodb: { OldImage: image as NonNullable<LedgerStreamRecord['dynamodb']>['OldImage'] },
});

const TTL = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
const pendingEntry = {
  product_id: { N: '42' },
  entry: { S: 'O00001aaaa#77' },
  quantity: { N: '3' },
  pending: { BOOL: true },
  source_record: { S: JSON.stringify(record) },
};

describe('expiredPendingOrderLines', () => {
  it('takes a pending entry that TTL removed, with its position and Kafka record', () => {
    // Act
    const lines = expiredPendingOrderLines([removal(pendingEntry, TTL)]);

    // Assess
    expect(lines).toEqual([{ productId: 42, entry: 'O00001aaaa#77', position: '00001aaaa', record }]);
  });

  it('carries the token of the create attempt that summed it, when one did', () => {
    // Act
    const lines = expiredPendingOrderLines([removal({ ...pendingEntry, counted_by: { S: 'tok3n' } }, TTL)]);

    // Assess
    expect(lines).toEqual([
      { productId: 42, entry: 'O00001aaaa#77', position: '00001aaaa', record, countedBy: 'tok3n' },
    ]);
  });

  it.each([
    ['a removal by someone other than TTL', removal(pendingEntry, { type: 'User', principalId: 'AIDA' })],
    ['a removal without identity', removal(pendingEntry, undefined)],
    ['an entry recorded while its product existed', removal({ ...pendingEntry, pending: undefined }, TTL)],
    ['a head', removal({ ...pendingEntry, entry: { S: 'H' } }, TTL)],
    ['an entry without its record', removal({ ...pendingEntry, source_record: { S: 'not json' } }, TTL)],
    ['an insert', { ...removal(pendingEntry, TTL), eventName: 'INSERT' }],
  ])('ignores %s', (_label, streamRecord) => {
    expect(expiredPendingOrderLines([streamRecord])).toEqual([]);
  });
});
