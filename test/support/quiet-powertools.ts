// Powertools writes one JSON line per log and per EMF document straight to the process streams, which
// would bury vitest's report. Those lines are dropped unless INVENTORY_TEST_VERBOSE=1; tests that assert on
// them use captureOutput, which replaces the writers for its duration.
if (process.env.INVENTORY_TEST_VERBOSE !== '1') {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      typeof chunk === 'string' && chunk.startsWith('{"')
        ? true
        : write(chunk, ...rest)) as typeof stream.write;
  }
}
