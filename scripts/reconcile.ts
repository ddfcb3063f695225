/** Entry point of `npm run reconcile`; see scripts/reconcile/options.ts for the options. */
import { runCli } from './cli/run-cli.js';
import { reconcileMain } from './reconcile/reconcile.js';

process.exitCode = await runCli('reconcile', (argv, io) => reconcileMain(argv, io));
