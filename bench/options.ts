import { parseArgs } from 'node:util';

/** The latency per call the wall-time target is stated at. */
export const DEFAULT_LATENCY_MS = 20;

export const HELP = `Usage: npm run bench -- [options]

The Python inventory-service's loop (one PutItem or UpdateItem ADD per record, no reads, not exactly once)
against the real handler on one deterministic Zipf workload cut at the stack's batch size (100) and at 1,000,
in one process against DynamoDB Local (a child JVM) with injected per-call latency: calls, CPU µs, WCU per
record and per order line, attempts per commit, wall time. Then one hot product written by many concurrent
invocations with real DynamoDB's transaction conflicts emulated; decode, memory, bundle and init. Every
figure is a ratio or a measurement from this run. Figures go to stdout; progress to stderr.

Options:
  --latency <ms>|auto   injected latency per DynamoDB call (default 20, the wall-time target's); auto =
                        6 × the engine's mean time per call, measured first in this run
  --quick               a fifth of the workload (for trying things out; not the documented figures)
  --smoke               the bench smoke test's workload (216 records, hot product 20×5): every section, fast
  --skip-bundle         no build, no 6 MB batch, no init time
  -h, --help            show this help

Example: npm run bench -- --quick --skip-bundle

Exit codes: 0 done (a target NOT MET is printed, not failed), 1 a table is not what it must be (the
handler's stock off the serial commit order, the two consumers' columns or order-line stocks differ, ledger
entries missing, hot-product stock not exact) or records were dead-lettered, 2 bad options.
`;

export interface BenchOptions {
  readonly help: boolean;
  readonly latency: number | 'auto';
  readonly quick: boolean;
  readonly smoke: boolean;
  readonly skipBundle: boolean;
}

/** A command line the bench cannot honour: printed as one line, exit code 2. */
export class BenchUsageError extends Error {
  readonly code = 'BENCH_USAGE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

const parseLatency = (raw: string): number | 'auto' => {
  if (raw === 'auto') return 'auto';
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw)) {
    throw new BenchUsageError(`--latency must be auto or milliseconds ≥ 0 (e.g. 20), got '${raw}'`);
  }
  return Number(raw);
};

/** The command line → validated options; every mistake is a BenchUsageError naming the option. */
export const parseBenchArgs = (argv: readonly string[]): BenchOptions => {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        latency: { type: 'string' },
        quick: { type: 'boolean' },
        smoke: { type: 'boolean' },
        'skip-bundle': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (cause) {
    // parseArgs' own message names the option ("Unknown option '--x'", "Option '--latency <value>' argument
    // missing"); its first line is the one that matters.
    throw new BenchUsageError((cause as Error).message.split('\n')[0] ?? String(cause), { cause });
  }
  const quick = values.quick === true;
  const smoke = values.smoke === true;
  if (quick && smoke) throw new BenchUsageError('--quick and --smoke choose different workloads: pick one');
  return {
    help: values.help === true,
    latency: typeof values.latency === 'string' ? parseLatency(values.latency) : DEFAULT_LATENCY_MS,
    quick,
    smoke,
    skipBundle: values['skip-bundle'] === true,
  };
};
