import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where `npm run local` keeps its data and tells the other tools where it is (tests point it elsewhere). */
export const LOCAL_DIRECTORY =
  process.env.INVENTORY_LOCAL_DIR ?? join(import.meta.dirname, '..', '..', '.local');
const SESSION_FILE = join(LOCAL_DIRECTORY, 'session.json');

export interface LocalSession {
  readonly pid: number;
  readonly dynamoDbEndpoint: string;
  readonly s3Endpoint: string;
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

/** The running `npm run local`, if there is one; a file left by one that died is ignored. */
export const findLocalSession = async (): Promise<LocalSession | undefined> => {
  try {
    const session = JSON.parse(await readFile(SESSION_FILE, 'utf8')) as LocalSession;
    return Number.isSafeInteger(session.pid) && isAlive(session.pid) ? session : undefined;
  } catch {
    return undefined;
  }
};
