/** Entry point of `npm run invoke`; see scripts/invoke/invoke.ts for the options. */
import { runCli } from './cli/run-cli.js';
import { INVOKE_TOOL, invokeMain } from './invoke/invoke.js';

process.exitCode = await runCli(INVOKE_TOOL, (argv, io) => invokeMain(argv, io));
