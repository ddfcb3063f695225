import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where `npm run local` keeps its data and tells the other tools where it is (tests point it elsewhere). */
export const LOCAL_DIRECTORY =
  process.env.INVENTORY_LOCAL_DIR ?? join(import.meta.dirname, '..', '..', '.local');
const SESSION_FILE = join(LOCAL_DIRECTORY, 'session.json');
/** Held by the one `npm run local` that owns the folder, from before it starts anything until it stopped. */
const LOCK_FILE = join(LOCAL_DIRECTORY, 'lock');

export interface LocalSession {
  readonly pid: number;
  readonly dynamoDbEndpoint: string;
  readonly s3Endpoint: string;
  /** The DynamoDB Local JVM serving .local/dynamodb, so that one left behind is never joined by a second. */
  readonly dynamoDbPid?: number;
  readonly startedAt: string;
}

export const writeLocalSession = async (session: LocalSession): Promise<void> => {
  await mkdir(LOCAL_DIRECTORY, { recursive: true });
  await writeFile(SESSION_FILE, `${JSON.stringify(session, null, 2)}\n`);
};

export const removeLocalSession = (): Promise<void> => rm(SESSION_FILE, { force: true });

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const readSessionFile = async (): Promise<LocalSession | undefined> => {
  try {
    return JSON.parse(await readFile(SESSION_FILE, 'utf8')) as LocalSession;
  } catch {
    return undefined;
  }
};

/** The running `npm run local`, if there is one; a file left by one that died is ignored. */
export const findLocalSession = async (): Promise<LocalSession | undefined> => {
  const session = await readSessionFile();
  return session !== undefined && Number.isSafeInteger(session.pid) && isAlive(session.pid)
    ? session
    : undefined;
};

/** Another `npm run local` (or a JVM one left behind) already uses the folder. */
export class LocalStackRunningError extends Error {
  readonly code = 'LOCAL_STACK_RUNNING';

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** On Linux, whether `pid` is a DynamoDB Local JVM; elsewhere a live pid is taken for one. */
const isDynamoDbLocal = async (pid: number): Promise<boolean> => {
  if (!isAlive(pid)) return false;
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('DynamoDBLocal');
  } catch {
    return process.platform !== 'linux';
  }
};

const lockOwner = async (): Promise<number | undefined> => {
  const owner = Number((await readFile(LOCK_FILE, 'utf8').catch(() => '')).trim());
  return Number.isSafeInteger(owner) && owner > 0 ? owner : undefined;
};

/**
 * Makes this process the one `npm run local` of LOCAL_DIRECTORY, before anything starts: two DynamoDB Local
 * on the same files corrupt them, and tools would find either. Refuses, naming the running one, while another
 * holds it (or a JVM an earlier run left still serves its files); takes over a lock whose process died.
 * Returns the release, which removes the lock only while this process still holds it.
 */
export const claimLocalDirectory = async (): Promise<() => Promise<void>> => {
  await mkdir(LOCAL_DIRECTORY, { recursive: true });
  const earlier = await readSessionFile();
  if (
    earlier?.dynamoDbPid !== undefined &&
    !isAlive(earlier.pid) &&
    (await isDynamoDbLocal(earlier.dynamoDbPid))
  ) {
    throw new LocalStackRunningError(
      `a DynamoDB Local left by an earlier run (pid ${earlier.dynamoDbPid}) still serves ${LOCAL_DIRECTORY}: stop it (kill ${earlier.dynamoDbPid}) first`,
    );
  }
  for (;;) {
    try {
      await writeFile(LOCK_FILE, `${process.pid}\n`, { flag: 'wx' });
      return async () => {
        if ((await lockOwner()) === process.pid) await rm(LOCK_FILE, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await lockOwner();
    if (owner !== undefined && isAlive(owner)) {
      const session = await findLocalSession();
      throw new LocalStackRunningError(
        session === undefined || session.pid !== owner
          ? `already running (pid ${owner}, still starting) for ${LOCAL_DIRECTORY}`
          : `already running (pid ${owner}) for ${LOCAL_DIRECTORY}: DynamoDB ${session.dynamoDbEndpoint}, S3 ${session.s3Endpoint}`,
      );
    }
    // Left by a run that died: its JVM died with it (dynamodb-local.ts's watchdog), so the folder is free.
    await rm(LOCK_FILE, { force: true });
  }
};
