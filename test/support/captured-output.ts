type Stream = NodeJS.WriteStream;

/**
 * Powertools writes logs and EMF metrics as JSON lines: info and metrics on stdout, warnings and errors on
 * stderr. This collects both while `run` runs.
 */
export const captureOutput = async <T>(
  run: () => Promise<T>,
): Promise<{ result: T; lines: Record<string, unknown>[] }> => {
  const chunks: string[] = [];
  const streams: Stream[] = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as Stream['write'];
  }
  try {
    const result = await run();
    return { result, lines: parseJsonLines(chunks.join('')) };
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as Stream['write'];
    });
  }
};

const parseJsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** The metric values of the EMF documents among captured lines, summed by name. */
export const emittedMetrics = (lines: readonly Record<string, unknown>[]): Record<string, number> => {
  const totals: Record<string, number> = {};
  for (const line of lines) {
    const aws = line._aws as { CloudWatchMetrics?: Array<{ Metrics: Array<{ Name: string }> }> } | undefined;
    for (const directive of aws?.CloudWatchMetrics ?? []) {
      for (const { Name } of directive.Metrics) totals[Name] = (totals[Name] ?? 0) + Number(line[Name]);
    }
  }
  return totals;
};
