/**
 * Powertools writes a JSON line per log and per metrics document; they are still produced (their cost is
 * part of the handler's) but not printed over the bench's figures.
 */
export const withoutJsonLogs = async <T>(work: () => Promise<T>): Promise<T> => {
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('{"')
      ? true
      : write(chunk, ...rest)) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = write as typeof process.stdout.write;
  }
};
