import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../cli/errors.js';
import type { CliIo } from '../cli/run-cli.js';
import { readJsonElements } from './json-text.js';
import type { ChangeFile } from './messages.js';
import { parseMakeEventArgs } from './options.js';
import { wrapChangeEvents } from './wrap.js';

const readChangeFile = async (path: string): Promise<ChangeFile> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (cause as Error).message;
    throw new UsageError(`cannot read --file '${path}': ${reason}`, { cause });
  }
  return { name: path, elements: readJsonElements(text, path) };
};

/** `make-event`: reads the files, wraps them, writes the event. All decisions live in the pure modules. */
export const makeEvent = async (argv: readonly string[], io: CliIo): Promise<void> => {
  const options = parseMakeEventArgs(argv);
  const files: ChangeFile[] = [];
  for (const path of options.files) files.push(await readChangeFile(path));
  const json = `${JSON.stringify(wrapChangeEvents(files, options.wrap), null, 2)}\n`;
  if (options.out === undefined) {
    io.stdout(json);
    return;
  }
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, json);
  const count = Object.values(JSON.parse(json).records as Record<string, unknown[]>).flat().length;
  io.stderr(`wrote ${options.out} (${count} records)\n`);
};
