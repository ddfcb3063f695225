/** Entry point of `npm run redrive`; see scripts/redrive/options.ts for the options. */
import { runCli } from './cli/run-cli.js';
import { REDRIVE_TOOL } from './redrive/options.js';
import { redriveMain } from './redrive/redrive.js';

process.exitCode = await runCli(REDRIVE_TOOL, (argv, io) => redriveMain(argv, io));
