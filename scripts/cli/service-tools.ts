import type { ToolDefinition } from './tool.js';

/*
 * The two commands that start services. Their entries (scripts/local-run.ts, scripts/local.ts) run when they are
 * imported, so what they share with the other tools (name, usage, exit codes) lives here, where a test can read it.
 */

/** `npm start`. */
export const START_TOOL: ToolDefinition = {
  name: 'start',
  command: 'npm start',
  help: `Usage: npm start

Starts DynamoDB Local and s3rver for this run only, creates the tables and the dead-letter bucket, sends every
sample event in events/ through the real handler (events/replay-order.txt gives the order; one batch twice),
prints the invocations, the inventory, the low-stock alerts and the dead letters, and stops what it started.
Takes no options; the function's environment variables apply (STOCK_MODEL, LOW_STOCK_THRESHOLD, ...).
  -h, --help               show this help

Example: npm start
`,
};

/** `npm run local`. */
export const LOCAL_TOOL: ToolDefinition = {
  name: 'local',
  command: 'npm run local',
  help: `Usage: npm run local

Starts DynamoDB Local and s3rver with their data in .local/ and keeps them up until Ctrl-C; the tools with
--endpoint local use them meanwhile. Takes no options.
  -h, --help               show this help

Example: npm run local   (then, in another terminal: npm run invoke -- events/products-snapshot.json)
`,
  failure: 'so does a session already running',
};
