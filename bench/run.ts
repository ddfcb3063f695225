/**
 * `npm run bench`: the naive per-record loop against the real handler on one deterministic workload, in one
 * process against dynalite with injected per-call latency, plus decode, memory, bundle and init figures.
 * Every figure is a ratio or a measurement from this run. Options:
 *   --latency 10,2     per-call latencies in ms (the first one also gives the write-call figure)
 *   --quick            a workload a tenth the size (for trying things out; not the documented figures)
 *   --skip-bundle      no build, no 6 MB batch, no init time
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lambda/config.js';
import { startEmbeddedAws } from '../scripts/local/embedded-aws.js';
import { buildBundle, MAX_PAYLOAD_BYTES, medianInitMs, probeBundle, writeMaxBatch } from './bundle.js';
import { measureDecode } from './decode.js';
import { seedProducts } from './tables.js';
import { compareThroughput, type ThroughputFigures } from './throughput.js';
import { DEFAULT_WORKLOAD, generateWorkload, type WorkloadOptions } from './workload.js';

const TARGET = { speedup: 20, writesVsLimit: 1.05, decodeVsParse: 0.5, peakRssMb: 200 } as const;
const INIT_RUNS = 5;

const { values: args } = parseArgs({
  options: {
    latency: { type: 'string', default: '10,2' },
    quick: { type: 'boolean', default: false },
    'skip-bundle': { type: 'boolean', default: false },
  },
});

const count = (value: number): string => Math.round(value).toLocaleString('en-US');
const fixed = (value: number, digits = 2): string => value.toFixed(digits);
const verdict = (met: boolean): string => (met ? 'met' : 'NOT MET');
const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const QUICK: Partial<WorkloadOptions> = {
  orderItems: 1_000,
  productEvents: 50,
  products: 100,
  orderBatchSize: 250,
};
const options: WorkloadOptions = { ...DEFAULT_WORKLOAD, ...(args.quick ? QUICK : {}) };
const latencies = (args.latency ?? '10,2').split(',').map(Number);
const workload = generateWorkload(options);
const orderBatches = workload.batches.filter((batch) => batch.topic.endsWith('order_items'));
const productBatches = workload.batches.filter((batch) => !batch.topic.endsWith('order_items'));
const sizes = (batches: typeof workload.batches) => batches.map((batch) => batch.records.length);
const writeConcurrency = loadConfig({ DLQ_S3_BUCKET: 'unused' }).writeConcurrency;

print(`machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
print(
  `workload: ${count(options.orderItems)} order items + ${count(options.productEvents)} product updates over ` +
    `${count(options.products)} products (Zipf s=${options.zipfExponent}), ${options.partitions} partitions per topic, seed ${options.seed}`,
);
print(
  `invocations: ${orderBatches.length} order_items batches of [${sizes(orderBatches).join(', ')}] records and ` +
    `${productBatches.length} products batches of [${sizes(productBatches).join(', ')}], alternating; WRITE_CONCURRENCY ${writeConcurrency}`,
);

// Decode first, on a heap like the function's: dynalite and its tables are not in the Lambda process.
const decode = measureDecode(workload);
const decodeRatio = decode.jsonParseMs / decode.decodeMs;
print(
  `decode throughput vs JSON.parse: ${fixed(decodeRatio)}× (${count(decode.records)} records, ${fixed(decode.bytes / 1e6)} MB of JSON: ` +
    `full decode ${fixed(decode.decodeMs, 1)} ms, JSON.parse alone ${fixed(decode.jsonParseMs, 1)} ms, medians of 9)` +
    ` — target ≥ ${TARGET.decodeVsParse}×: ${verdict(decodeRatio >= TARGET.decodeVsParse)}`,
);
const aws = await startEmbeddedAws();
let failed = false;
try {
  const runs: ThroughputFigures[] = [];
  for (const latencyMs of latencies) {
    const figures = await compareThroughput(aws, workload, latencyMs);
    runs.push(figures);
    const rate = (ms: number) => count(figures.records / (ms / 1000));
    const speedup = figures.naive.ms / figures.handler.ms;
    print(
      `throughput @${latencyMs} ms/call: handler/naive = ${fixed(speedup, 1)}× ` +
        `(handler ${rate(figures.handler.ms)} rec/s, ${fixed(figures.handler.ms / 1000)} s; ` +
        `naive ${rate(figures.naive.ms)} rec/s, ${fixed(figures.naive.ms / 1000)} s)` +
        (latencyMs === latencies[0]
          ? ` — target ≥ ${TARGET.speedup}×: ${verdict(speedup >= TARGET.speedup)}`
          : ''),
    );
    print(
      `same table @${latencyMs} ms/call: ${figures.tablesEqual ? 'yes' : 'NO'} (seed columns of all ${count(options.products)} items; ` +
        `${figures.deadLetters} dead letters)`,
    );
    failed ||= !figures.tablesEqual || figures.deadLetters > 0;
  }
  const first = runs[0];
  if (first !== undefined) {
    const perRecord = first.handler.writes / first.records;
    const limit = first.limitWrites / first.records;
    const reads = first.handler.calls.get('GetItemCommand') ?? 0;
    print(
      `write calls per record: ${fixed(perRecord, 4)} = ${fixed(perRecord / limit, 3)}× the coalescing limit ${fixed(limit, 4)} ` +
        `(${count(first.handler.writes)} writes for ${count(first.records)} records; limit Σ distinct products per batch = ${count(first.limitWrites)}; ` +
        `floor Σ distinct (product, partition) = ${count(first.floorWrites)}; naive ${fixed(first.naive.writes / first.records, 2)}; re-reads ${reads})` +
        ` — target ≤ ${TARGET.writesVsLimit}×: ${verdict(perRecord / limit <= TARGET.writesVsLimit)}`,
    );
  }
  if (!args['skip-bundle']) {
    const bundle = await buildBundle();
    const table = 'bench-max-batch';
    await aws.createTable(table);
    await aws.createBucket(`${table}-dlq`);
    await seedProducts(aws.dynamoDb, table, workload.initialProducts, workload.initialPosition);
    const env = { ...aws.env, DYNAMODB_TABLE: table, DLQ_S3_BUCKET: `${table}-dlq` };
    const batch = await writeMaxBatch(options.products);
    try {
      const probe = await probeBundle(env, batch.path);
      const peak = probe.maxRssMb ?? Number.NaN;
      print(
        `peak RSS, one ${fixed(batch.bytes / (1024 * 1024))} MB batch: ${fixed(peak, 0)} MB ` +
          `(${count(batch.records)} order items in one invocation of the built function, ${fixed((probe.invocationMs ?? 0) / 1000)} s; ` +
          `${fixed(probe.maxRssAfterInitMb, 0)} MB after init; limit ${fixed(MAX_PAYLOAD_BYTES / (1024 * 1024), 0)} MB payload)` +
          ` — target < ${TARGET.peakRssMb} MB: ${verdict(peak < TARGET.peakRssMb)}`,
      );
      failed ||= probe.records !== batch.records || (probe.deadLetters ?? 0) > 0;
    } finally {
      await batch.cleanup();
    }
    print(
      `bundle: dist/handler.mjs ${count(bundle.bytes / 1024)} KB minified (${count(bundle.gzipBytes / 1024)} KB gzipped)`,
    );
    const initMs = await medianInitMs(env, INIT_RUNS);
    print(
      `module init: ${fixed(initMs, 0)} ms to import dist/handler.mjs in a fresh node process (median of ${INIT_RUNS})`,
    );
  }
} finally {
  await aws.stop();
}
if (failed) {
  print('FAILED: the handler and the naive loop disagree, or records were dead-lettered');
  process.exitCode = 1;
}
