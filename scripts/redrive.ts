/** Entry point of `npm run redrive`; see scripts/redrive/options.ts for the options. */
import { runCli } from './cli/run-cli.js';
import { redriveMain } from './redrive/redrive.js';

process.exitCode = await runCli('redrive', (argv, io) => redriveMain(argv, io));
