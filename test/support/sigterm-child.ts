// Bundled with lambda/handler.ts by test/integration/sigterm.test.ts. Loads the real Lambda entry module, then waits: the test sends SIGTERM, as Lambda does before it shuts a
// runtime down, and reads what the module's handler flushed.
await import('../../lambda/handler.js');
process.stdout.write('ready\n');
setInterval(() => undefined, 1_000);
