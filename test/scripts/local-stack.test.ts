import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

interface Stack {
  readonly npm: ChildProcess;
  readonly directory: string;
  output(): string;
}

/** `npm run local` as a developer starts it, on a folder of its own; resolves once it printed `ready`. */
const startStack = async (directory: string): Promise<Stack> => {
  let output = '';
  const npm = spawn('npm', ['run', '-s', 'local'], {
    cwd: ROOT,
    env: { ...process.env, INVENTORY_LOCAL_DIR: directory },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  npm.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  npm.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!output.includes('ready') && npm.exitCode === null && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  if (!output.includes('ready')) throw new Error(`npm run local did not get ready:\n${output}`);
  return { npm, directory, output: () => output };
};

interface Process {
  readonly pid: number;
  readonly ppid: number;
  readonly args: string;
}

/** The process and all its descendants, from `ps`. */
const treeOf = async (root: number): Promise<Process[]> => {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,args=']);
  const all = stdout
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .flatMap((match) =>
      match === null ? [] : [{ pid: Number(match[1]), ppid: Number(match[2]), args: match[3] ?? '' }],
    );
  const tree = all.filter((process) => process.pid === root);
  for (let grown = true; grown; ) {
    const more = all.filter(
      (process) => tree.some((parent) => parent.pid === process.ppid) && !tree.includes(process),
    );
    tree.push(...more);
    grown = more.length > 0;
  }
  return tree;
};

/** Gone, or a zombie nobody reaped yet (it holds nothing). */
const isGone = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
};

const waitUntil = async (check: () => boolean, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return check();
};

describe('npm run local stops whole', () => {
  const directories: string[] = [];
  const stacks: Stack[] = [];

  afterEach(async () => {
    for (const stack of stacks.splice(0)) {
      for (const { pid } of await treeOf(stack.npm.pid ?? -1)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
  });

  const newDirectory = async (): Promise<string> => {
    const directory = await mkdtemp(join(tmpdir(), 'inventory-local-stack-'));
    directories.push(directory);
    return directory;
  };

  it.each<[string, NodeJS.Signals]>([
    ['npm', 'SIGINT'],
    ['npm', 'SIGTERM'],
    ['npm', 'SIGHUP'],
    ['node', 'SIGHUP'],
    ['java', 'SIGTERM'],
  ])(
    'on %s getting %s: no process, no JVM, no session left',
    async (target, signal) => {
      // Prepare
      const stack = await startStack(await newDirectory());
      stacks.push(stack);
      const tree = await treeOf(stack.npm.pid ?? -1);
      const node = tree.find(
        (process) => process.args.includes('scripts/local.ts') && process.pid !== stack.npm.pid,
      );
      const java = tree.find((process) => process.args.startsWith('java '));
      const victim = { npm: stack.npm.pid, node: node?.pid, java: java?.pid }[target];
      expect(node).toBeDefined();
      expect(java).toBeDefined();
      expect(existsSync(join(stack.directory, 'session.json'))).toBe(true);

      // Act
      process.kill(victim ?? -1, signal);

      // Assess
      const allGone = await waitUntil(() => tree.every((process) => isGone(process.pid)), STOP_TIMEOUT_MS);
      expect(
        tree.filter((process) => !isGone(process.pid)).map((process) => process.args.slice(0, 60)),
      ).toEqual([]);
      expect(allGone).toBe(true);
      expect(existsSync(join(stack.directory, 'session.json'))).toBe(false);
      expect(existsSync(join(stack.directory, 'lock'))).toBe(false);
      expect(existsSync(join(stack.directory, 'dynamodb'))).toBe(true);
    },
    READY_TIMEOUT_MS + STOP_TIMEOUT_MS + 10_000,
  );

  it(
    'refuses a second one on the same folder in one line naming the running one, which keeps serving',
    async () => {
      // Prepare
      const directory = await newDirectory();
      const first = await startStack(directory);
      stacks.push(first);
      const session = JSON.parse(readFileSync(join(directory, 'session.json'), 'utf8'));

      // Act
      const second = await run('npm', ['run', '-s', 'local'], {
        cwd: ROOT,
        env: { ...process.env, INVENTORY_LOCAL_DIR: directory },
        timeout: 30_000,
      }).then(
        () => ({ code: 0, stdout: '', stderr: '' }),
        (error: { code?: number; stdout: string; stderr: string }) => error,
      );

      // Assess
      expect(second.code).toBe(1);
      expect(second.stderr).toBe(
        `local: already running (pid ${session.pid}) for ${directory}: DynamoDB ${session.dynamoDbEndpoint}, S3 ${session.s3Endpoint}\n`,
      );
      expect(second.stdout).toBe('');
      expect(first.npm.exitCode).toBeNull();
      expect(JSON.parse(readFileSync(join(directory, 'session.json'), 'utf8'))).toEqual(session);
    },
    READY_TIMEOUT_MS + 40_000,
  );
});
