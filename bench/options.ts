import { parseArgs } from 'node:util';

export const HELP = `Usage: npm run bench -- [options]

The naive per-record loop against the real handler on one deterministic workload, in one process against
DynamoDB Local (a child JVM) with injected per-call latency, plus write calls, item bytes and WCU per record,
decode, memory, bundle and init figures. Every figure is a ratio or a measurement from this run. Figures go to
stdout; progress (which phase, records done) to stderr.

Options:
  --latency auto|<ms>[,<ms>...]  per-call latency: auto (default) = 6 × the engine's mean time per call,
                                 measured first in this run; or milliseconds (≥ 0), e.g. 30 or 30,10 (the
                                 first gives the write figures)
  --quick                        a workload a tenth the size (for trying things out; not the documented figures)
  --smoke                        the bench smoke test's workload (216 records): every section, in seconds
  --skip-bundle                  no build, no 6 MB batch, no init time
  -h, --help                     show this help

Exit codes: 0 done, 1 the handler and the naive loop disagree or records were dead-lettered, 2 bad options.
`;

export interface BenchOptions {
  readonly help: boolean;
  /** undefined: auto. */
  readonly latencies: readonly number[] | undefined;
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

const parseLatency = (raw: string): readonly number[] | undefined => {
  if (raw === 'auto') return undefined;
  const parts = raw.split(',');
  const values = parts.map((part) => (/^\s*\d+(\.\d+)?\s*$/.test(part) ? Number(part) : Number.NaN));
  if (raw.trim() === '' || values.some((ms) => !Number.isFinite(ms) || ms < 0)) {
    throw new BenchUsageError(`--latency must be auto or milliseconds ≥ 0 (e.g. 30 or 30,10), got '${raw}'`);
  }
  return values;
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
    latencies: parseLatency(typeof values.latency === 'string' ? values.latency : 'auto'),
    quick,
    smoke,
    skipBundle: values['skip-bundle'] === true,
  };
};
