import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../lambda/decode/decode-record.js';
import { flattenRecords, type KafkaEvent } from '../../lambda/decode/kafka-event.js';
import { InputError, UsageError } from '../../scripts/cli/errors.js';
import { compactJson, readJsonElements } from '../../scripts/make-event/json-text.js';
import type { LambdaKafkaEvent, LambdaKafkaRecord } from '../../scripts/make-event/kafka-event.js';
import type { ChangeFile } from '../../scripts/make-event/messages.js';
import { parseMakeEventArgs } from '../../scripts/make-event/options.js';
import { murmur2 } from '../../scripts/make-event/partitioner.js';
import { type WrapOptions, wrapChangeEvents } from '../../scripts/make-event/wrap.js';

const PRODUCTS = 'dbserver1.public.products';
const ORDER_ITEMS = 'dbserver1.public.order_items';
const config = {
  productsTopic: PRODUCTS,
  orderItemsTopic: ORDER_ITEMS,
  priceScale: 2,
  sourceEpoch: 0,
  stockModel: 'orders',
} as const;

const options = (overrides: Partial<WrapOptions> = {}): WrapOptions => ({
  topic: PRODUCTS,
  keyField: 'id',
  keySchema: false,
  partitioning: { kind: 'fixed', partition: 0 },
  offset: 0,
  offsetsByPartition: new Map(),
  eventSource: 'msk',
  ...overrides,
});

const changeFile = (text: string, name = 'inline.json'): ChangeFile => ({
  name,
  elements: readJsonElements(text, name),
});

const productEvent = (id: number, op = 'c', tsMs = 1736932350712): string =>
  JSON.stringify({
    before: null,
    after: { id, name: `Product ${id}`, description: null, price: '10.00', stock_quantity: 5 },
    source: { connector: 'postgresql', name: 'dbserver1', db: 'shop', table: 'products', lsn: 24023544 + id },
    op,
    ts_ms: tsMs,
  });

const text = (base64: string | null | undefined): string | null =>
  base64 === null || base64 === undefined ? null : Buffer.from(base64, 'base64').toString('utf8');

const allRecords = (event: LambdaKafkaEvent): LambdaKafkaRecord[] => Object.values(event.records).flat();

describe('wrapChangeEvents', () => {
  it('wraps each event as base64 of its compact JSON, keyed by the row id', () => {
    // Prepare
    const file = changeFile(`[\n  ${productEvent(1001)},\n  ${productEvent(1002, 'u')}\n]`);

    // Act
    const event = wrapChangeEvents([file], options());

    // Assess
    const records = allRecords(event);
    expect(records.map((record) => text(record.key))).toEqual(['{"id":1001}', '{"id":1002}']);
    expect(records.map((record) => text(record.value))).toEqual([
      productEvent(1001),
      productEvent(1002, 'u'),
    ]);
    expect(records.map((record) => record.timestampType)).toEqual(['CREATE_TIME', 'CREATE_TIME']);
    expect(records[0]?.timestamp).toBe(1736932350712);
  });

  it('names the partition map "<topic>-<partition>" with consecutive offsets from --offset', () => {
    // Prepare
    const file = changeFile(`[${productEvent(1001)}, ${productEvent(1002)}, ${productEvent(1003)}]`);

    // Act
    const event = wrapChangeEvents(
      [file],
      options({ partitioning: { kind: 'fixed', partition: 3 }, offset: 41 }),
    );

    // Assess
    expect(Object.keys(event.records)).toEqual([`${PRODUCTS}-3`]);
    expect(event.records[`${PRODUCTS}-3`]?.map((record) => [record.partition, record.offset])).toEqual([
      [3, 41],
      [3, 42],
      [3, 43],
    ]);
  });

  it('spreads records by key over partitions, each partition counting from its own first offset', () => {
    // Prepare
    const events = Array.from({ length: 12 }, (_, index) => productEvent(1001 + index));
    const file = changeFile(`[${events.join(',')}]`);

    // Act
    const event = wrapChangeEvents(
      [file],
      options({
        partitioning: { kind: 'by-key', count: 2 },
        offset: 10,
        offsetsByPartition: new Map([[1, 100]]),
      }),
    );

    // Assess
    expect(Object.keys(event.records)).toEqual([`${PRODUCTS}-0`, `${PRODUCTS}-1`]);
    const zero = event.records[`${PRODUCTS}-0`] ?? [];
    const one = event.records[`${PRODUCTS}-1`] ?? [];
    expect(zero.map((record) => record.offset)).toEqual(zero.map((_, index) => 10 + index));
    expect(one.map((record) => record.offset)).toEqual(one.map((_, index) => 100 + index));
    expect(zero.length + one.length).toBe(12);
  });

  it('gives a tombstone a null value and the key of the delete before it', () => {
    // Prepare
    const file = changeFile(`[${productEvent(1006, 'd')}, null]`);

    // Act
    const [remove, tombstone] = allRecords(wrapChangeEvents([file], options({ offset: 8 })));

    // Assess
    expect(tombstone?.value).toBeNull();
    expect(tombstone?.key).toBe(remove?.key);
    expect(tombstone?.offset).toBe(9);
    expect(tombstone?.timestamp).toBe(remove?.timestamp);
  });

  it('refuses a tombstone with no event before it to take the key from', () => {
    // Prepare
    const file = changeFile('[null]');

    // Act
    const act = () => wrapChangeEvents([file], options());

    // Assess
    expect(act).toThrow(InputError);
  });

  it('uses the key and value text of kcat -J messages as they are, even when not JSON', () => {
    // Prepare
    const file = changeFile(
      '{"topic":"t","partition":0,"offset":5,"ts":1736938200150,"key":"{\\"id\\":1005}","payload":"{\\"before\\":"}\n' +
        '{"topic":"t","partition":0,"offset":6,"ts":1736938200151,"key":"{\\"id\\":1005}","payload":""}\n',
    );

    // Act
    const records = allRecords(wrapChangeEvents([file], options()));

    // Assess
    expect(records.map((record) => [text(record.key), record.value, record.timestamp])).toEqual([
      ['{"id":1005}', Buffer.from('{"before":').toString('base64'), 1736938200150],
      ['{"id":1005}', '', 1736938200151],
    ]);
  });

  it('writes keys as {schema, payload} with --key-schema, like the JsonConverter', () => {
    // Prepare
    const file = changeFile(productEvent(1001));

    // Act
    const [record] = allRecords(wrapChangeEvents([file], options({ keySchema: true })));

    // Assess
    expect(JSON.parse(text(record?.key) ?? 'null')).toEqual({
      schema: {
        type: 'struct',
        fields: [{ type: 'int32', optional: false, default: 0, field: 'id' }],
        optional: false,
        name: `${PRODUCTS}.Key`,
      },
      payload: { id: 1001 },
    });
  });

  it.each([
    [0, 'int32'],
    [-2147483648, 'int32'],
    [2147483647, 'int32'],
    [2147483648, 'int64'],
  ])(
    'keys id %i with an %s key schema, as the JsonConverter does for an INTEGER or BIGINT key',
    (id, type) => {
      // Prepare
      const file = changeFile(productEvent(id));

      // Act
      const records = allRecords(wrapChangeEvents([file], options({ keySchema: true })));
      const key = JSON.parse(text(records[0]?.key) ?? 'null');

      // Assess
      expect(key.schema.fields[0].type).toBe(type);
      expect(key.payload).toEqual({ id });
    },
  );

  it('keys ExtractNewRecordState rows and before-only deletes by their id', () => {
    // Prepare
    const unwrapped = '{"id":1007,"name":null,"__op":"d","__deleted":"true","__source_ts_ms":1736937340111}';
    const deleted = '{"before":{"id":1006,"name":null},"after":null,"op":"d","ts_ms":1736935334833}';
    const file = changeFile(`[${unwrapped}, ${deleted}]`);

    // Act
    const records = allRecords(wrapChangeEvents([file], options()));

    // Assess
    expect(records.map((record) => [text(record.key), record.timestamp])).toEqual([
      ['{"id":1007}', 1736937340111],
      ['{"id":1006}', 1736935334833],
    ]);
  });

  it('fails with an InputError naming the file when no key can be derived', () => {
    // Prepare
    const file = changeFile('{"after":{"sku":"A-1"},"op":"c"}', 'no-id.json');

    // Act
    const act = () => wrapChangeEvents([file], options());

    // Assess
    expect(act).toThrow(/no-id\.json event #1: no 'id'/);
  });

  it('builds self-managed events without an eventSourceArn', () => {
    // Prepare
    const file = changeFile(productEvent(1001));

    // Act
    const event = wrapChangeEvents([file], options({ eventSource: 'self-managed' }));

    // Assess
    expect(event.eventSource).toBe('SelfManagedKafka');
    expect(event).not.toHaveProperty('eventSourceArn');
    expect(event.bootstrapServers).toMatch(/:9092/);
  });

  it('is deterministic: the same inputs give the same event, with a fixed time when none is given', () => {
    // Prepare
    const file = changeFile('{"id":1,"name":"x"}');

    // Act
    const first = wrapChangeEvents([file], options());
    const second = wrapChangeEvents([file], options());

    // Assess
    expect(first).toEqual(second);
    expect(allRecords(first)[0]?.timestamp).toBe(Date.UTC(2025, 0, 1));
  });
});

describe('compactJson', () => {
  it('keeps numbers digit for digit, ts_ns above 2^53 included, and whitespace inside strings', () => {
    // Prepare
    const source = '{\n  "ts_ns": 1736935334833137000,\n  "price": 84.50,\n  "name": "Monitor 27\\" 4K"\n}';

    // Act
    const compact = compactJson(source);

    // Assess
    expect(compact).toBe('{"ts_ns":1736935334833137000,"price":84.50,"name":"Monitor 27\\" 4K"}');
  });
});

describe('murmur2', () => {
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %s like Kafka (%i)', (input, expected) => {
    // Prepare
    const bytes = Buffer.from(input);

    // Act
    const hash = murmur2(bytes);

    // Assess
    expect(hash).toBe(expected);
  });
});

describe('parseMakeEventArgs', () => {
  it.each([
    [['--topic', PRODUCTS, '--file', 'a.json', '--bogus']],
    [['--file', 'a.json']],
    [['--topic', PRODUCTS]],
    [['--topic', 'bad topic', '--file', 'a.json']],
    [['--topic', PRODUCTS, '--file', 'a.json', '--partition', '-1']],
    [['--topic', PRODUCTS, '--file', 'a.json', '--partition', '0', '--partitions', '2']],
    [['--topic', PRODUCTS, '--file', 'a.json', '--offset', 'x:1']],
    [['--topic', PRODUCTS, '--file', 'a.json', '--event-source', 'kinesis']],
    [['--topic', PRODUCTS, '--file', 'a.json', 'stray']],
  ])('rejects %j with a UsageError', (argv) => {
    // Prepare
    const args = argv as string[];

    // Act
    const act = () => parseMakeEventArgs(args);

    // Assess
    expect(act).toThrow(UsageError);
  });

  it('reads per-partition offsets and the partitioning', () => {
    // Prepare
    const argv = [
      '--topic',
      ORDER_ITEMS,
      '--file',
      'a.json',
      '--partitions',
      '2',
      '--offset',
      '0:1',
      '--offset',
      '1:3',
    ];

    // Act
    const parsed = parseMakeEventArgs(argv);

    // Assess
    expect(parsed.wrap.partitioning).toEqual({ kind: 'by-key', count: 2 });
    expect([...parsed.wrap.offsetsByPartition]).toEqual([
      [0, 1],
      [1, 3],
    ]);
    expect(parsed.wrap.offset).toBe(0);
  });
});

/** The `npm run make-event` lines of events/regenerate.sh, with the script's topic variables filled in. */
const regenerationCommands = (): string[][] =>
  readFileSync('events/regenerate.sh', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('npm run -s make-event -- '))
    .map((line) =>
      line
        .slice('npm run -s make-event -- '.length)
        .replaceAll('$P', PRODUCTS)
        .replaceAll('$O', ORDER_ITEMS)
        .split(/\s+/)
        .filter((word) => word !== ''),
    );

const readEvent = (name: string): KafkaEvent => JSON.parse(readFileSync(`events/${name}`, 'utf8'));

/** Every record of an events/ file, decoded by the service's own decoder, without the record itself. */
const decodeEventFile = (name: string): unknown[] =>
  flattenRecords(readEvent(name)).map((record) => {
    try {
      const { record: _record, ...decoded } = decodeRecord(record, config) as unknown as Record<
        string,
        unknown
      >;
      return decoded;
    } catch (error) {
      return { error: (error as { code?: string }).code };
    }
  });

describe('events/', () => {
  it.each(regenerationCommands().map((argv) => [argv[argv.indexOf('--out') + 1], argv]))(
    '%s is what make-event builds from its source',
    (out, argv) => {
      // Prepare
      const parsed = parseMakeEventArgs(argv as string[]);
      const files = parsed.files.map((path) => changeFile(readFileSync(path, 'utf8'), path));

      // Act
      const event = wrapChangeEvents(files, parsed.wrap);

      // Assess
      expect(JSON.parse(readFileSync(out as string, 'utf8'))).toEqual(JSON.parse(JSON.stringify(event)));
    },
  );

  it('continues offsets per topic-partition across files in replay order, without gaps or repeats', () => {
    // Prepare
    const order = readFileSync('events/replay-order.txt', 'utf8').split('\n').filter(Boolean);

    // Act
    const offsets = new Map<string, number[]>();
    for (const name of order) {
      for (const record of flattenRecords(readEvent(name))) {
        const key = `${record.topic}-${record.partition}`;
        offsets.set(key, [...(offsets.get(key) ?? []), record.offset]);
      }
    }

    // Assess
    expect(order).toHaveLength(10);
    for (const list of offsets.values()) expect(list).toEqual(list.map((_, index) => index));
    expect([...offsets.keys()].sort()).toEqual([`${ORDER_ITEMS}-0`, `${ORDER_ITEMS}-1`, `${PRODUCTS}-0`]);
  });

  it('products-snapshot.json decodes to four snapshot upserts with exact prices from precise decimals', () => {
    // Prepare
    const name = 'products-snapshot.json';

    // Act
    const decoded = decodeEventFile(name);

    // Assess
    expect(decoded).toEqual([
      expect.objectContaining({
        type: 'ProductUpserted',
        productId: 1001,
        columns: {
          name: 'Laptop',
          description: '14-inch ultrabook, 16 GB RAM, 512 GB SSD',
          price: '1299.99',
          stockQuantity: 45,
        },
        lastUpdated: '2025-01-10T08:15:00.123Z',
      }),
      expect.objectContaining({
        productId: 1002,
        columns: expect.objectContaining({ price: '24.99', stockQuantity: 150 }),
      }),
      expect.objectContaining({
        productId: 1003,
        columns: expect.objectContaining({ price: '49.50', stockQuantity: 12 }),
      }),
      expect.objectContaining({
        productId: 1004,
        columns: expect.objectContaining({ price: '89.00', stockQuantity: 8 }),
      }),
    ]);
  });

  it.each([
    [
      'products-create.json',
      [
        { type: 'ProductUpserted', productId: 1005, price: '349.00', stockQuantity: 20 },
        { type: 'ProductUpserted', productId: 1006, price: '59.90', stockQuantity: 25 },
      ],
    ],
    [
      'products-update.json',
      [
        { type: 'ProductUpserted', productId: 1001, price: '1199.99', stockQuantity: 45 },
        { type: 'ProductUpserted', productId: 1003, price: '49.50', stockQuantity: 7 },
      ],
    ],
    [
      'products-delete.json',
      [
        { type: 'ProductDeleted', productId: 1006 },
        { type: 'Skipped', reason: 'TOMBSTONE' },
      ],
    ],
    [
      'products-schemaless.json',
      [
        { type: 'ProductUpserted', productId: 1002, price: '22.99', stockQuantity: 147 },
        { type: 'ProductUpserted', productId: 1004, price: '84.50', stockQuantity: 7 },
        { type: 'ProductUpserted', productId: 1007, price: '19.99', stockQuantity: 60 },
      ],
    ],
    [
      'products-unwrapped.json',
      [
        { type: 'ProductUpserted', productId: 1003, price: '49.50', stockQuantity: 30 },
        { type: 'ProductUpserted', productId: 1008, price: '199.00', stockQuantity: 9 },
        { type: 'ProductDeleted', productId: 1007 },
      ],
    ],
    [
      'poison.json',
      [
        { error: 'INVALID_JSON' },
        { error: 'EMPTY_VALUE' },
        { type: 'ProductUpserted', productId: 1005, price: '329.00', stockQuantity: 8 },
      ],
    ],
    [
      'order-items-create.json',
      [
        { type: 'OrderItemCreated', productId: 1002, orderItemId: 6, quantity: 2 },
        { type: 'OrderItemCreated', productId: 1005, orderItemId: 7, quantity: 12 },
        { type: 'OrderItemCreated', productId: 1002, orderItemId: 10, quantity: 1 },
        { type: 'OrderItemCreated', productId: 1001, orderItemId: 5, quantity: 1 },
        { type: 'OrderItemCreated', productId: 1003, orderItemId: 8, quantity: 2 },
        { type: 'OrderItemCreated', productId: 1004, orderItemId: 9, quantity: 1 },
      ],
    ],
    [
      'order-items-unknown-product.json',
      [
        { type: 'OrderItemCreated', productId: 1999, orderItemId: 11, quantity: 1 },
        { type: 'OrderItemCreated', productId: 1008, orderItemId: 12, quantity: 1 },
      ],
    ],
    [
      'order-items-snapshot.json',
      Array.from({ length: 4 }, () => ({ type: 'Skipped', reason: 'ORDER_LINE_NOT_COUNTED' })),
    ],
  ])('%s decodes to the changes it is meant to show', (name, expected) => {
    // Prepare
    const summarise = (decoded: unknown) => {
      const { columns, ...rest } = decoded as { columns?: { price?: string; stockQuantity?: number } };
      return columns === undefined
        ? rest
        : { ...rest, price: columns.price, stockQuantity: columns.stockQuantity };
    };

    // Act
    const decoded = decodeEventFile(name).map(summarise);

    // Assess
    expect(decoded).toEqual(expected.map((change) => expect.objectContaining(change)));
  });

  it('keeps the TOAST placeholder out of the decoded update', () => {
    // Prepare
    const name = 'products-update.json';

    // Act
    const [laptop] = decodeEventFile(name) as Array<{ columns: Record<string, unknown> }>;

    // Assess
    expect(laptop?.columns).not.toHaveProperty('description');
  });
});

const exec = promisify(execFile);

/** Runs the real CLI as a user would, returning its exit code and output. */
const runMakeEvent = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await exec('npx', ['tsx', 'scripts/make-event.ts', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

describe('make-event CLI', () => {
  it('exits 2 with a clear message on an unknown option', async () => {
    // Prepare
    const args = ['--topic', PRODUCTS, '--file', 'events/changes/products-create.json', '--partiton', '1'];

    // Act
    const result = await runMakeEvent(args);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--partiton'");
    expect(result.stdout).toBe('');
  });

  it('exits 2 when a file does not exist', async () => {
    // Prepare
    const args = ['--topic', PRODUCTS, '--file', 'events/changes/nope.json'];

    // Act
    const result = await runMakeEvent(args);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot read --file 'events/changes/nope.json': no such file");
  });

  it('prints the event on stdout and help on --help', async () => {
    // Prepare
    const args = ['--topic', PRODUCTS, '--file', 'events/changes/products-delete.json', '--offset', '8'];

    // Act
    const [made, help] = await Promise.all([runMakeEvent(args), runMakeEvent(['--help'])]);

    // Assess
    expect(made.code).toBe(0);
    expect(JSON.parse(made.stdout)).toEqual(readEvent('products-delete.json'));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--partitions <count>');
  });
});
