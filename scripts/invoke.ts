/** Entry point of `npm run invoke`; see scripts/invoke/invoke.ts for the options. */
import { runCli } from './cli/run-cli.js';
import { invokeMain } from './invoke/invoke.js';

process.exitCode = await runCli('invoke', (argv, io) => invokeMain(argv, io));
