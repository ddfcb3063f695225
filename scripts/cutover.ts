/** Entry point of `npm run cutover`; see scripts/cutover/options.ts for the options. */
import { runCli } from './cli/run-cli.js';
import { cutoverMain } from './cutover/cutover.js';
import { CUTOVER_TOOL } from './cutover/options.js';

process.exitCode = await runCli(CUTOVER_TOOL, (argv, io) => cutoverMain(argv, io));
