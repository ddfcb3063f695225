/**
 * Powertools writes each log entry and each EMF document as one JSON line on stdout or stderr, as Lambda
 * ships them to CloudWatch. `npm run invoke` collects them while the handler runs, to print them readably.
 */
export interface CapturedTelemetry {
  readonly logs: ReadonlyArray<Record<string, unknown>>;
  readonly metricDocuments: ReadonlyArray<Record<string, unknown>>;
  /** Anything written that is not a JSON object (a stray console.log, a warning). */
  readonly otherLines: readonly string[];
  /** Every line as written, for --json. */
  readonly rawLines: readonly string[];
}

type Write = NodeJS.WriteStream['write'];

const splitLines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '');

const parseObject = (line: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/** Pure: sorts captured output into logs, EMF documents and other lines. */
export const classifyOutput = (chunks: readonly string[]): CapturedTelemetry => {
  const rawLines = chunks.flatMap(splitLines);
  const logs: Record<string, unknown>[] = [];
  const metricDocuments: Record<string, unknown>[] = [];
  const otherLines: string[] = [];
  for (const line of rawLines) {
    const object = parseObject(line);
    if (object === undefined) otherLines.push(line);
    else if ('_aws' in object) metricDocuments.push(object);
    else logs.push(object);
  }
  return { logs, metricDocuments, otherLines, rawLines };
};

/** Runs `action` with process.stdout and process.stderr captured; what it throws is returned, not thrown. */
export const captureTelemetry = async <T>(
  action: () => Promise<T>,
): Promise<{
  outcome: { ok: true; value: T } | { ok: false; error: unknown };
  telemetry: CapturedTelemetry;
}> => {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as Write;
  }
  try {
    const value = await action();
    return { outcome: { ok: true, value }, telemetry: classifyOutput(chunks) };
  } catch (error) {
    return { outcome: { ok: false, error }, telemetry: classifyOutput(chunks) };
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as Write;
    });
  }
};
