/** Entry point of `npm run inventory`; see scripts/inventory/inventory.ts for the options. */
import { runCli } from './cli/run-cli.js';
import { INVENTORY_TOOL, inventoryMain } from './inventory/inventory.js';

process.exitCode = await runCli(INVENTORY_TOOL, (argv, io) => inventoryMain(argv, io));
