import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExitCode } from '../../scripts/cli/errors.js';
import { type CliIo, runCli } from '../../scripts/cli/run-cli.js';
import { LOCAL_TOOL, START_TOOL } from '../../scripts/cli/service-tools.js';
import { exitCodeHelp, type ToolDefinition } from '../../scripts/cli/tool.js';
import { cutoverMain } from '../../scripts/cutover/cutover.js';
import { CUTOVER_TOOL } from '../../scripts/cutover/options.js';
import { INVENTORY_TOOL, inventoryMain } from '../../scripts/inventory/inventory.js';
import { INVOKE_TOOL, invokeMain } from '../../scripts/invoke/invoke.js';
import { type EmbeddedAws, startEmbeddedAws } from '../../scripts/local/embedded-aws.js';
import { makeEvent } from '../../scripts/make-event/make-event.js';
import { MAKE_EVENT_TOOL } from '../../scripts/make-event/options.js';
import { RECONCILE_TOOL } from '../../scripts/reconcile/options.js';
import { reconcileMain } from '../../scripts/reconcile/reconcile.js';
import { REDRIVE_TOOL } from '../../scripts/redrive/options.js';
import { redriveMain } from '../../scripts/redrive/redrive.js';
import { REPLAY_TOOL } from '../../scripts/replay/options.js';
import { replayMain } from '../../scripts/replay/replay.js';
import { capturingIo, startTestPostgres, type TestPostgres } from './support/postgres.js';

const exec = promisify(execFile);

type Env = Record<string, string>;
// biome-ignore lint/suspicious/noConfusingVoidType: mains that return nothing (Promise<void>) fit as they are
type Main = (argv: readonly string[], io: CliIo, env: Env) => Promise<void | ExitCode>;

/**
 * Every tool, with what the convention in docs/operations.md ("The tools") asks of it. A tool added to scripts/
 * belongs here; the test below holds each to the same help, refusals, exit codes, --json and --stock-model.
 */
interface ToolCase {
  readonly tool: ToolDefinition;
  readonly entry: string;
  /** Its main, to run in-process against the test's endpoints; absent for the commands that start services. */
  readonly main?: Main;
  /** Reads or applies the stock model, so takes --stock-model. */
  readonly readsStockModel: boolean;
  /** The rest of a command line that --stock-model needs to be judged (the required options). */
  readonly required?: readonly string[];
  /** A command line whose whole stdout is one JSON document; absent for a tool that reports nothing. */
  readonly json?: (postgresUrl: string) => readonly string[];
}

const TOOLS: readonly ToolCase[] = [
  {
    tool: INVOKE_TOOL,
    entry: 'scripts/invoke.ts',
    main: (argv, io, env) => invokeMain(argv, io, env),
    readsStockModel: true,
    required: ['events/products-create.json'],
    json: () => ['events/products-snapshot.json', '--json'],
  },
  {
    tool: INVENTORY_TOOL,
    entry: 'scripts/inventory.ts',
    main: (argv, io, env) => inventoryMain(argv, io, env),
    readsStockModel: false,
    json: () => ['--endpoint', 'local', '--json'],
  },
  {
    tool: MAKE_EVENT_TOOL,
    entry: 'scripts/make-event.ts',
    main: (argv, io) => makeEvent(argv, io),
    readsStockModel: false,
    // Its output is the event, always one JSON document: it takes no --json.
    json: () => ['--topic', 'dbserver1.public.products', '--file', 'events/changes/products-create.json'],
  },
  {
    tool: REPLAY_TOOL,
    entry: 'scripts/replay.ts',
    main: (argv, io, env) => replayMain(argv, io, env),
    readsStockModel: true,
    json: () => ['--endpoint', 'local', '--dry-run', '--json'],
  },
  {
    tool: REDRIVE_TOOL,
    entry: 'scripts/redrive.ts',
    main: (argv, io, env) => redriveMain(argv, io, env),
    readsStockModel: true,
    json: () => ['--endpoint', 'local', '--dry-run', '--json'],
  },
  {
    tool: RECONCILE_TOOL,
    entry: 'scripts/reconcile.ts',
    main: (argv, io, env) => reconcileMain(argv, io, env),
    readsStockModel: true,
    required: ['--postgres', 'postgres://reader@127.0.0.1:1/shop'],
    json: (url) => ['--endpoint', 'local', '--postgres', url, '--json'],
  },
  {
    tool: CUTOVER_TOOL,
    entry: 'scripts/cutover.ts',
    main: (argv, io, env) => cutoverMain(argv, io, env),
    readsStockModel: true,
    required: ['--position', '1,2'],
    json: () => [
      '--endpoint',
      'local',
      '--position',
      '1,2',
      '--stock-model',
      'products',
      '--dry-run',
      '--json',
    ],
  },
  { tool: START_TOOL, entry: 'scripts/local-run.ts', readsStockModel: false },
  { tool: LOCAL_TOOL, entry: 'scripts/local.ts', readsStockModel: false },
];

const IN_PROCESS = TOOLS.filter((entry) => entry.main !== undefined);

/** Runs a tool as a user would (tsx, the real entry), under a hard limit: one that starts services fails. */
const spawnTool = async (entry: string, args: readonly string[]) => {
  const started = Date.now();
  try {
    const { stdout, stderr } = await exec('npx', ['tsx', entry, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr, elapsed: Date.now() - started };
  } catch (error) {
    const failed = error as { code?: number; killed?: boolean; stdout: string; stderr: string };
    return {
      code: failed.killed ? -1 : (failed.code ?? -1),
      stdout: failed.stdout,
      stderr: failed.stderr,
      elapsed: Date.now() - started,
    };
  }
};

/** The refusal every tool prints for a command line it cannot honour: one line, naming the help to read. */
const refusal = (tool: ToolDefinition, message: string): string =>
  `${tool.name}: ${message} (see ${tool.command} -- --help)\n`;

describe.each(TOOLS)('$tool.command on the command line', ({ tool, entry }) => {
  it('prints its usage, one example and the shared exit codes on --help, and starts nothing', async () => {
    // Act
    const result = await spawnTool(entry, ['--help']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.startsWith(`Usage: ${tool.command}`)).toBe(true);
    expect(result.stdout).toContain('\nExample: ');
    expect(result.stdout.endsWith(`\n${exitCodeHelp(tool)}\n`)).toBe(true);
    // What the services print once they are up.
    expect(result.stdout).not.toMatch(/DynamoDB Local http/);
  }, 40_000);

  it('refuses an unknown option in one line on stderr, exit 2', async () => {
    // Act
    const result = await spawnTool(entry, ['--bogus']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(refusal(tool, "unknown option '--bogus'"));
  }, 40_000);
});

describe('every tool, run against local endpoints', () => {
  let aws: EmbeddedAws;
  let postgres: TestPostgres;
  let env: Env;
  let folder: string;

  beforeAll(async () => {
    [aws, postgres] = await Promise.all([startEmbeddedAws(), startTestPostgres()]);
    folder = await mkdtemp(join(tmpdir(), 'tool-convention-'));
    // The sample events are from January 2025: within the lag bound, nothing is counted as late.
    env = {
      ...aws.env,
      DYNAMODB_TABLE: 'convention',
      DLQ_S3_BUCKET: 'convention-dlq',
      LAG_BOUND_HOURS: '87600',
    };
    const client = await postgres.client();
    try {
      await client.query(
        "INSERT INTO products (id, name, price, stock_quantity) VALUES (7001, 'Only in the database', 1.00, 5)",
      );
    } finally {
      await client.end();
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all([aws?.stop(), postgres?.stop(), rm(folder, { recursive: true, force: true })]);
  });

  const run = async (tool: ToolCase, argv: readonly string[]) => {
    const captured = capturingIo();
    const main = tool.main as Main;
    const code = await runCli(tool.tool, (args, io) => main(args, io, env), argv, captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };

  it.each(IN_PROCESS)(
    '$tool.command: --stock-model where the stock model is read, else no such option',
    async (tool) => {
      // Act
      const result = await run(tool, [...(tool.required ?? []), '--stock-model', 'fifo']);

      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        refusal(
          tool.tool,
          tool.readsStockModel
            ? "--stock-model must be one of orders, products, ledger, got 'fifo'"
            : "unknown option '--stock-model'",
        ),
      );
    },
  );

  it.each(IN_PROCESS.filter((tool) => tool.json !== undefined))(
    '$tool.command: with --json, stdout is exactly one JSON document',
    async (tool) => {
      // Act
      const result = await run(tool, tool.json?.(postgres.url) ?? []);

      // Assess
      expect([0, 3]).toContain(result.code);
      expect(result.stdout.trimStart().startsWith('{')).toBe(true);
      expect(() => JSON.parse(result.stdout)).not.toThrow();
    },
    60_000,
  );

  it('a refusal is one line even where a parser would add hints: a negative partition, a forgotten value', async () => {
    // Prepare
    const [replay, invoke] = ['replay', 'invoke'].map((name) =>
      IN_PROCESS.find((tool) => tool.tool.name === name),
    ) as [ToolCase, ToolCase];

    // Act
    const results = [
      await run(replay, ['--partition', '-1']),
      await run(replay, ['--table', '--dry-run']),
      await run(invoke, ['--bogus', 'events/products-create.json']),
    ];

    // Assess
    expect(results.map((result) => [result.code, result.stderr])).toEqual([
      [2, refusal(REPLAY_TOOL, "--partition must be a non-negative integer, got '-1'")],
      [2, refusal(REPLAY_TOOL, '--table needs a value')],
      [2, refusal(INVOKE_TOOL, "unknown option '--bogus'")],
    ]);
  });

  it('a malformed input file is exit 2 in one line, as a bad option is, not 1', async () => {
    // Prepare
    const [invoke, makeEventTool] = ['invoke', 'make-event'].map((name) =>
      IN_PROCESS.find((tool) => tool.tool.name === name),
    ) as [ToolCase, ToolCase];
    const notJson = join(folder, 'not-json.json');
    const notAnEvent = join(folder, 'not-an-event.json');
    await writeFile(notJson, '{"records": ');
    await writeFile(notAnEvent, '{"hello": "world"}');

    // Act
    const results = [
      await run(invoke, [notJson]),
      await run(invoke, [notAnEvent]),
      await run(makeEventTool, ['--topic', 't', '--file', notJson]),
    ];

    // Assess
    expect(results.map((result) => result.code)).toEqual([2, 2, 2]);
    for (const result of results) {
      expect(result.stderr).toMatch(
        /^(invoke|make-event): [^\n]+ \(see npm run (invoke|make-event) -- --help\)\n$/,
      );
    }
  });

  it('exit 3 when the tool finds what it checks for: replay and redrive agree on a --key that names nothing', async () => {
    // Prepare
    const [replay, redrive, reconcile] = ['replay', 'redrive', 'reconcile'].map((name) =>
      IN_PROCESS.find((tool) => tool.tool.name === name),
    ) as [ToolCase, ToolCase, ToolCase];

    // Act
    const results = [
      await run(replay, ['--endpoint', 'local', '--key', 'dbserver1.public.products/0/999.json']),
      await run(redrive, ['--endpoint', 'local', '--key', 'aws/lambda/nothing-here']),
      // 7001 is in the database only: drift.
      await run(reconcile, ['--endpoint', 'local', '--postgres', postgres.url]),
    ];

    // Assess
    expect(results.map((result) => result.code)).toEqual([3, 3, 3]);
  }, 60_000);

  it('exit 1 when a database call fails, in one line', async () => {
    // Prepare
    const reconcile = IN_PROCESS.find((tool) => tool.tool.name === 'reconcile') as ToolCase;

    // Act
    const result = await run(reconcile, [
      '--endpoint',
      'local',
      '--postgres',
      'postgres://reader@127.0.0.1:1/shop',
    ]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^reconcile: [^\n]+\n$/);
  });
});
