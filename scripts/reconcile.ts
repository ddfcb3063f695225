/** Entry point of `npm run reconcile`; see scripts/reconcile/options.ts for the options. */
import { runCli } from './cli/run-cli.js';
import { RECONCILE_TOOL } from './reconcile/options.js';
import { reconcileMain } from './reconcile/reconcile.js';

process.exitCode = await runCli(RECONCILE_TOOL, (argv, io) => reconcileMain(argv, io));
