/**
 * `npm run bench`: the naive per-record loop against the real handler on one deterministic workload, in one
 * process against DynamoDB Local (a child JVM) with injected per-call latency, plus write calls, item bytes
 * and WCU per record, decode, memory, bundle and init figures. Every figure is a ratio or a measurement
 * from this run. Options: bench/options.ts (`npm run bench -- --help`).
 */
import { cpus } from 'node:os';
import { loadConfig } from '../lambda/config.js';
import { ENTRIES_PER_TRANSACTION } from '../lambda/store/order-writes.js';
import { startEmbeddedAws } from '../scripts/local/embedded-aws.js';
import { buildBundle, MAX_PAYLOAD_BYTES, medianInitMs, probeBundle, writeMaxBatch } from './bundle.js';
import { measureDecode } from './decode.js';
import { type Footprint, measureFootprint } from './footprint.js';
import { BenchUsageError, HELP, parseBenchArgs } from './options.js';
import { stderrProgress } from './progress.js';
import { seedProducts } from './tables.js';
import { compareThroughput, measureEngineCallMs, runHandler, type ThroughputFigures } from './throughput.js';
import { DEFAULT_WORKLOAD, generateWorkload, SMOKE_WORKLOAD, type WorkloadOptions } from './workload.js';

const TARGET = {
  speedup: 20,
  writesVsLimit: 1.05,
  decodeVsParse: 0.5,
  peakRssMb: 200,
  latencyPerEngine: 5,
} as const;
/** The injected latency chosen with --latency auto, in engine call times: above the 5:1 floor, with margin. */
const LATENCY_PER_ENGINE = 6;
/** The second partition count of the footprint: bookkeeping must not grow with it. */
const MANY_PARTITIONS = 200;
const INIT_RUNS = 5;

// Options are checked before anything starts: a bad one is one line and exit code 2, nothing to stop.
const args = (() => {
  try {
    return parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`bench: ${error.message} (npm run bench -- --help)\n`);
    process.exit(2);
  }
})();
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const progress = stderrProgress();

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
const options: WorkloadOptions = {
  ...DEFAULT_WORKLOAD,
  ...(args.quick ? QUICK : {}),
  ...(args.smoke ? SMOKE_WORKLOAD : {}),
};
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

// Decode first, on a heap like the function's: DynamoDB Local runs in its own JVM process anyway.
progress.phase('decode throughput', workload.records);
const decode = measureDecode(workload);
const decodeRatio = decode.jsonParseMs / decode.decodeMs;
print(
  `decode throughput vs JSON.parse: ${fixed(decodeRatio)}× (${count(decode.records)} records, ${fixed(decode.bytes / 1e6)} MB of JSON: ` +
    `full decode ${fixed(decode.decodeMs, 1)} ms, JSON.parse alone ${fixed(decode.jsonParseMs, 1)} ms, medians of 9)` +
    ` — target ≥ ${TARGET.decodeVsParse}×: ${verdict(decodeRatio >= TARGET.decodeVsParse)}`,
);
progress.phase('starting DynamoDB Local and s3rver');
const aws = await startEmbeddedAws();
let failed = false;
try {
  let latencies: number[];
  if (args.latencies === undefined) {
    const engineMs = await measureEngineCallMs(aws, options, progress);
    const chosen = Math.ceil(LATENCY_PER_ENGINE * engineMs);
    latencies = [chosen];
    print(
      `injected latency: ${chosen} ms per call, chosen as ${LATENCY_PER_ENGINE} × the engine's mean ${fixed(engineMs)} ms per call ` +
        `(DynamoDB Local with the SDK and loopback HTTP, measured just now: the naive loop's sequential calls on a small sample, ` +
        `no injected latency, second pass), rounded up; the floor is latency:engine ≥ ${TARGET.latencyPerEngine}:1`,
    );
  } else {
    latencies = [...args.latencies];
    print(`injected latency: ${latencies.join(', ')} ms per call (--latency)`);
  }
  const runs: ThroughputFigures[] = [];
  for (const latencyMs of latencies) {
    const figures = await compareThroughput(aws, workload, latencyMs, undefined, progress);
    runs.push(figures);
    const rate = (ms: number) => count(figures.records / (ms / 1000));
    const speedup = figures.naive.ms / figures.handler.ms;
    const naiveEngineMs = figures.naive.probe.serviceMs / figures.naive.calls;
    const handlerEngineMs = figures.handler.probe.serviceMs / figures.handler.calls;
    const latencyPerEngine = latencyMs / naiveEngineMs;
    const first = latencyMs === latencies[0];
    print(
      `throughput @${latencyMs} ms/call: handler/naive = ${fixed(speedup, 1)}× ` +
        `(handler ${rate(figures.handler.ms)} rec/s, ${fixed(figures.handler.ms / 1000)} s, ${count(figures.handler.calls)} calls; ` +
        `naive ${rate(figures.naive.ms)} rec/s, ${fixed(figures.naive.ms / 1000)} s, ${count(figures.naive.calls)} calls)` +
        (first ? ` — target ≥ ${TARGET.speedup}×: ${verdict(speedup >= TARGET.speedup)}` : ''),
    );
    print(
      `latency:engine @${latencyMs} ms/call: ${fixed(latencyPerEngine, 1)}:1 in this run (the naive loop's calls took ` +
        `${fixed(naiveEngineMs)} ms each on average besides the injected latency; the handler's, ${writeConcurrency} at a time, ` +
        `${fixed(handlerEngineMs)} ms) — floor ${TARGET.latencyPerEngine}:1: ${verdict(latencyPerEngine >= TARGET.latencyPerEngine)}`,
    );
    print(
      `same table @${latencyMs} ms/call: ${figures.tablesEqual ? 'yes' : 'NO'} (seed columns of all ${count(options.products)} items ` +
        `and every order line in the ledger; ${figures.deadLetters} dead letters)`,
    );
    failed ||= !figures.tablesEqual || figures.deadLetters > 0;
  }
  const first = runs[0];
  if (first !== undefined) {
    const { handler, naive } = first;
    const perRecord = handler.writes / first.records;
    const limit = first.limitWrites / first.records;
    const reads = handler.probe.calls.get('GetItemCommand') ?? 0;
    const queries = handler.probe.calls.get('QueryCommand') ?? 0;
    print(
      `write calls per record: ${fixed(perRecord, 4)} = ${fixed(perRecord / limit, 3)}× the coalescing limit ${fixed(limit, 4)} ` +
        `(${count(handler.writes)} writes for ${count(first.records)} records; limit = Σ over batches of one write per product's upserts ` +
        `and one transaction per ${ENTRIES_PER_TRANSACTION} order lines of a product = ${count(first.limitWrites)}; ` +
        `${handler.probe.failedWrites} failed; naive ${fixed(naive.writes / first.records, 2)}; ` +
        `reads ${count(reads)} GetItem + ${count(queries)} Query = ${fixed((reads + queries) / handler.writes, 2)} per write)` +
        ` — target ≤ ${TARGET.writesVsLimit}×: ${verdict(perRecord / limit <= TARGET.writesVsLimit)}`,
    );
    const many = generateWorkload({ ...options, partitions: MANY_PARTITIONS });
    progress.phase(`handler @${MANY_PARTITIONS} partitions, no latency (footprint)`, many.records);
    const manyRun = await runHandler(aws, many, 0, `bench-handler-${MANY_PARTITIONS}p`, progress);
    progress.phase('scanning both tables for item sizes');
    failed ||= manyRun.deadLetters > 0;
    const footprints: Array<{ partitions: number; footprint: Footprint }> = [
      {
        partitions: options.partitions,
        footprint: await measureFootprint(aws.dynamoDb, handler, first.records),
      },
      { partitions: MANY_PARTITIONS, footprint: await measureFootprint(aws.dynamoDb, manyRun, many.records) },
    ];
    const naiveFootprint = await measureFootprint(aws.dynamoDb, naive, first.records);
    const [few, lots] = footprints.map(({ footprint }) => footprint) as [Footprint, Footprint];
    const reports = handler.probe.capacityReports;
    print(
      `WCU method: computed from item sizes by DynamoDB's documented rules (1 WCU per KB of the item, rounded up, ×2 in a transaction; ` +
        `${few.exact && lots.exact ? 'every item well inside one KB step, so its size after the run prices each of its writes exactly' : 'APPROXIMATE: an item sits near a KB step'}; ` +
        `ConditionChecks not counted), not DynamoDB Local's ConsumedCapacity: it does return it (bench middleware sets ReturnConsumedCapacity TOTAL; ` +
        `${count(reports)} of ${count(handler.writes)} handler writes reported it) but it undercounts multi-item transactions: ` +
        `it reported ${fixed(few.reportedWcu / few.records, 3)} WCU per record for the writes priced below at ${fixed(few.wcu / few.records, 3)}; ` +
        `item bytes: both tables scanned after the run, sized by the same rules`,
    );
    for (const { partitions, footprint } of footprints) {
      print(
        `footprint @${partitions} order_items partitions: inventory item ${fixed(footprint.meanItemBytes, 1)} B mean, ` +
          `${count(footprint.maxItemBytes)} B max (${count(footprint.items)} items); ` +
          `ledger entry ${fixed(footprint.meanEntryBytes, 1)} B mean (${count(footprint.entries)} entries, ${footprint.heads} heads); ` +
          `WCU per record ${fixed(footprint.wcu / footprint.records, 3)} (inventory ${fixed(footprint.inventoryWcu / footprint.records, 3)}, ` +
          `ledger ${fixed(footprint.ledgerWcu / footprint.records, 3)}; ${count(footprint.writeActions)} item writes, ` +
          `${count(footprint.conditionChecks)} condition checks, ${footprint.failedWrites} failed calls)`,
      );
    }
    const growth = lots.maxItemBytes - few.maxItemBytes;
    print(
      `item bookkeeping vs partitions: max item ${count(few.maxItemBytes)} B @${options.partitions} → ${count(lots.maxItemBytes)} B @${MANY_PARTITIONS} ` +
        `(${growth >= 0 ? '+' : ''}${growth} B; mean ${fixed(few.meanItemBytes, 1)} → ${fixed(lots.meanItemBytes, 1)} B); ` +
        `naive loop: ${fixed(naiveFootprint.meanItemBytes, 1)} B items, WCU per record ${fixed(naiveFootprint.wcu / naiveFootprint.records, 3)} ` +
        `(${count(naiveFootprint.failedWrites)} failed calls not priced) — constant: ${verdict(growth <= 0)}`,
    );
  }
  if (!args.skipBundle) {
    progress.phase('building dist/handler.mjs');
    const bundle = await buildBundle();
    const table = 'bench-max-batch';
    await aws.createTable(table);
    await aws.createLedgerTable(`${table}-ledger`);
    await aws.createBucket(`${table}-dlq`);
    await seedProducts(aws.dynamoDb, table, workload.initialProducts, workload.initialPosition);
    const env = { ...aws.env, DYNAMODB_TABLE: table, DLQ_S3_BUCKET: `${table}-dlq`, STOCK_MODEL: 'orders' };
    progress.phase('one 6 MB batch through the built function');
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
    progress.phase(`module init, ${INIT_RUNS} fresh node processes`);
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
