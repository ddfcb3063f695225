/** Entry point of `npm run cutover`; see scripts/cutover/options.ts for the options. */
import { runCli } from './cli/run-cli.js';
import { cutoverMain } from './cutover/cutover.js';

process.exitCode = await runCli('cutover', (argv, io) => cutoverMain(argv, io));
