import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { kafkaRecord, mskEvent, ORDER_ITEMS_TOPIC, orderItemEnvelope } from '../test/support/debezium.js';
import { seededRandom } from '../test/support/fault-injection.js';

const run = promisify(execFile);

export const BUNDLE_PATH = 'dist/handler.mjs';
const PROBE_PATH = 'bench/bundle-probe.mjs';
/** Lambda's invocation payload limit, and the event source mapping's batch size limit. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const MAX_BATCH_RECORDS = 10_000;

export interface BundleFigures {
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface ProbeResult {
  readonly initMs: number;
  readonly maxRssAfterInitMb: number;
  readonly invocationMs?: number;
  readonly records?: number;
  readonly deadLetters?: number;
  readonly maxRssMb?: number;
}

/** `npm run build`, then the size of what would be deployed. */
export const buildBundle = async (): Promise<BundleFigures> => {
  await run('npm', ['run', 'build', '--silent']);
  const bytes = (await stat(BUNDLE_PATH)).size;
  return { bytes, gzipBytes: gzipSync(await readFile(BUNDLE_PATH)).length };
};

/** Runs the built function in a fresh process (see bundle-probe.mjs). */
export const probeBundle = async (
  env: Readonly<Record<string, string>>,
  eventPath?: string,
): Promise<ProbeResult> => {
  const args = [PROBE_PATH, BUNDLE_PATH, ...(eventPath === undefined ? [] : [eventPath])];
  const { stdout } = await run(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  const line = stdout.split('\n').find((text) => text.startsWith('BENCH_PROBE '));
  if (line === undefined) throw new Error(`bundle probe printed no result:\n${stdout.slice(-2_000)}`);
  return JSON.parse(line.slice('BENCH_PROBE '.length)) as ProbeResult;
};

/** The median module init time over `runs` fresh processes. */
export const medianInitMs = async (env: Readonly<Record<string, string>>, runs: number): Promise<number> => {
  const times: number[] = [];
  for (let index = 0; index < runs; index++) times.push((await probeBundle(env)).initMs);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
};

/**
 * The largest order_items batch the mapping can deliver: as many records as fit in 6 MB of event JSON
 * (at most 10,000), over `products` products, written to a temporary file.
 */
export const writeMaxBatch = async (
  products: number,
): Promise<{ path: string; bytes: number; records: number; cleanup: () => Promise<void> }> => {
  const random = seededRandom(6);
  const records = [];
  let bytes = 512;
  for (let index = 0; index < MAX_BATCH_RECORDS; index++) {
    const row = {
      id: index + 1,
      order_id: 900_000 + index,
      product_id: 1 + Math.floor(random() * products),
      quantity: 1 + Math.floor(random() * 3),
    };
    const record = kafkaRecord(
      ORDER_ITEMS_TOPIC,
      index % 4,
      index,
      orderItemEnvelope('c', row, 500_000 + index),
      {
        id: row.id,
      },
    );
    const size = JSON.stringify(record).length + 1;
    if (bytes + size > MAX_PAYLOAD_BYTES) break;
    bytes += size;
    records.push(record);
  }
  const text = JSON.stringify(mskEvent(records));
  const directory = await mkdtemp(join(tmpdir(), 'inventory-cdc-bench-'));
  const path = join(directory, 'max-batch.json');
  await writeFile(path, text);
  return {
    path,
    bytes: Buffer.byteLength(text),
    records: records.length,
    cleanup: () => rm(directory, { recursive: true, force: true }),
  };
};
