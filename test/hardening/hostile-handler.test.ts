import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lambda/errors.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { type LocalService, startLocalService } from '../../scripts/local/local-service.js';
import { captureOutput } from '../support/captured-output.js';
import {
  kafkaRecord,
  mskEvent,
  ORDER_ITEMS_TOPIC,
  orderItemRecord,
  PRODUCTS_TOPIC,
  type ProductRow,
  productRecord,
  type TestKafkaRecord,
} from '../support/debezium.js';
import { printFigures, runs, scaledTimeout, tally } from '../support/hardening-figures.js';
import { type Expected, type HostileCase, hostileRecordArb } from '../support/hostile-input.js';
import { itemShapeProblems } from '../support/item-shape.js';

/** Good records whose description and price are recognisable, so logs can be searched for them. */
const SECRET_DESCRIPTION = 'confidential-supplier-terms';
const SECRET_PRICE = '7345.61';
const HOSTILE_PARTITION = 5;

const goodRecords = (): TestKafkaRecord[] => {
  const rows: ProductRow[] = [1001, 1002, 1003].map((id) => ({
    id,
    name: `Good ${id}`,
    description: `${SECRET_DESCRIPTION}-${id}`,
    price: SECRET_PRICE,
    stock_quantity: 100,
  }));
  return [
    ...rows.map((row, offset) => productRecord('c', row, offset)),
    orderItemRecord({ id: 1, order_id: 7, product_id: 1001, quantity: 3 }, 0),
    orderItemRecord({ id: 2, order_id: 7, product_id: 1002, quantity: 4 }, 1),
  ];
};

const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort();

const figures = { handlerCases: 0, hostileRecords: 0, byCode: {} as Record<string, number>, logLines: 0 };

afterAll(() => printFigures('hostile input through the handler', figures));

/**
 * A partial products change (decodes, but lacks a column a new item needs) can only update: the table starts
 * empty, so it is applied only when an earlier full row of the same batch created its product (every hostile
 * change has the same LSN, so a later one is a duplicate of the first), else dead-lettered.
 */
const expectedThroughHandler = (entry: HostileCase, batch: readonly HostileCase[]): Expected => {
  if (!entry.partial) return entry.expected;
  const created = batch
    .slice(0, batch.indexOf(entry))
    .some(
      (other) =>
        other.productId === entry.productId && expectedThroughHandler(other, batch).kind === 'applied',
    );
  return created ? entry.expected : { kind: 'poison', code: ErrorCode.MISSING_FIELD };
};

describe('the real handler under hostile input', () => {
  let aws: EmbeddedAws;
  let run = 0;

  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });

  afterAll(async () => {
    await aws.stop();
  });

  const freshService = (): Promise<LocalService> => {
    run += 1;
    return startLocalService({
      aws,
      env: { DYNAMODB_TABLE: `hostile-${run}`, DLQ_S3_BUCKET: `hostile-${run}` },
    });
  };

  it(
    'dead-letters each hostile record with its code, applies the rest, writes only well-formed items',
    async () => {
      const before = prototypeNames();
      await fc.assert(
        fc.asyncProperty(
          fc
            .array(fc.nat(), { minLength: 1, maxLength: 4 })
            .chain((seeds) => fc.tuple(...seeds.map((_, index) => hostileRecordArb(100 + index)))),
          async (hostile) => {
            // Prepare
            const service = await freshService();
            const placed = hostile.map((entry) => ({
              ...entry,
              record: { ...entry.record, partition: HOSTILE_PARTITION },
            }));
            const event = mskEvent([...goodRecords(), ...placed.map(({ record }) => record)]);

            // Act
            const { result, lines } = await captureOutput(() => service.invoke(event));

            // Assess
            const items = await service.scanInventory();
            const letters = await service.listDeadLetters();
            await service.stop();
            const codeAt = new Map(
              letters
                .filter(({ letter }) => letter.record.partition === HOSTILE_PARTITION)
                .map(({ letter }) => [letter.record.offset, letter.error.code]),
            );
            for (const entry of placed) {
              const { record, label } = entry;
              const expected = expectedThroughHandler(entry, placed);
              const code = codeAt.get(record.offset);
              expect({ label, code }).toEqual({
                label,
                code: expected.kind === 'poison' ? expected.code : undefined,
              });
              tally(figures.byCode, code ?? expected.kind);
            }
            expect(items.flatMap(itemShapeProblems)).toEqual([]);
            const good = new Map(items.map((item) => [item.product_id, item.stock_quantity]));
            expect([good.get(1001), good.get(1002), good.get(1003)]).toEqual([97, 96, 100]);
            expect(result.deadLetterKeys).toHaveLength(codeAt.size);
            assertNoPayloadsInInfoLogs(lines, event);
            figures.handlerCases += 1;
            figures.hostileRecords += placed.length;
            figures.logLines += lines.length;
          },
        ),
        { numRuns: runs(150) },
      );
      expect(prototypeNames()).toEqual(before);
    },
    scaledTimeout(120_000),
  );

  // The contract keeps stored values of columns a change does not carry, so such a change can update an item
  // but must not create one without the seed's shape: it is dead-lettered instead.
  it('refuses to create an item from a products change without its NOT NULL columns', async () => {
    // Prepare
    const service = await freshService();
    const partial = kafkaRecord(PRODUCTS_TOPIC, 0, 0, { op: 'c', after: { id: 3001 }, source: { lsn: 9 } });

    // Act
    await service.invoke(mskEvent([partial]));

    // Assess
    const items = await service.scanInventory();
    const letters = await service.listDeadLetters();
    await service.stop();
    expect(items).toEqual([]);
    expect(letters.map(({ letter }) => letter.error.code)).toEqual(['MISSING_FIELD']);
  });

  it('handles an event whose records are not objects, lack offsets or repeat an offset', async () => {
    // Prepare
    const service = await freshService();
    const good = goodRecords();
    const event = JSON.parse(
      JSON.stringify({
        eventSource: 'aws:kafka',
        records: {
          [`${PRODUCTS_TOPIC}-0`]: [...good.slice(0, 3), good[0], 'not a record', null, 42, ['nested']],
          [`${ORDER_ITEMS_TOPIC}-0`]: [...good.slice(3), { ...good[3], offset: undefined }, good[4]],
          [`${ORDER_ITEMS_TOPIC}-x`]: 'not a list',
        },
      }).replace('"aws:kafka"', '"aws:kafka","__proto__":{"polluted":true}'),
    );

    // Act
    const summary = await service.invoke(event);

    // Assess
    const items = await service.scanInventory();
    const letters = await service.listDeadLetters();
    await service.stop();
    expect(items.map(({ product_id, stock_quantity }) => [product_id, stock_quantity])).toEqual([
      [1001, 97],
      [1002, 96],
      [1003, 100],
    ]);
    expect(letters.map(({ letter }) => letter.error.code)).toEqual(Array(5).fill(ErrorCode.MALFORMED_RECORD));
    expect(summary.counts.DuplicatesSkipped).toBe(2);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('dead-letters a multi-megabyte product that DynamoDB refuses and garbage of the same size', async () => {
    // Prepare
    const service = await freshService();
    const huge: ProductRow = {
      id: 2001,
      name: 'Huge',
      description: 'd'.repeat(3 * 1024 * 1024),
      price: '1.00',
      stock_quantity: 1,
    };
    const garbage = kafkaRecord(PRODUCTS_TOPIC, 0, 1, `{"op":"c","after":"${'g'.repeat(2 * 1024 * 1024)}`);
    const event = mskEvent([
      productRecord('c', huge, 0),
      garbage,
      ...goodRecords()
        .slice(1, 3)
        .map((r, i) => ({ ...r, offset: 2 + i })),
    ]);

    // Act
    const { lines } = await captureOutput(() => service.invoke(event));

    // Assess
    const letters = await service.listDeadLetters();
    const items = await service.scanInventory();
    await service.stop();
    expect(letters.map(({ letter }) => [letter.record.offset, letter.error.code])).toEqual([
      [0, ErrorCode.STORE_REJECTED],
      [1, ErrorCode.INVALID_JSON],
    ]);
    expect(letters[0]?.letter.record.value).toBe(event.records[`${PRODUCTS_TOPIC}-0`]?.[0]?.value);
    expect(items.map(({ product_id }) => product_id)).toEqual([1002, 1003]);
    expect(Math.max(...lines.map((line) => JSON.stringify(line).length))).toBeLessThan(4_096);
  });
});

/** Info logs say what happened to which record, never what the record said: that is the dead letters' job. */
const assertNoPayloadsInInfoLogs = (
  lines: readonly Record<string, unknown>[],
  event: ReturnType<typeof mskEvent>,
): void => {
  const values = Object.values(event.records)
    .flat()
    .flatMap(({ value }) => (value === null || value.length < 12 ? [] : [value.slice(0, 40)]));
  for (const line of lines) {
    const text = JSON.stringify(line);
    for (const value of values) expect(text).not.toContain(value);
    if (line.level === 'INFO' || line.level === 'DEBUG') {
      expect(text).not.toContain(SECRET_DESCRIPTION);
      expect(text).not.toContain(SECRET_PRICE);
    }
  }
};
