/** Entry point of `npm run replay`; see scripts/replay/options.ts for the options. */
import { runCli } from './cli/run-cli.js';
import { REPLAY_TOOL } from './replay/options.js';
import { replayMain } from './replay/replay.js';

process.exitCode = await runCli(REPLAY_TOOL, (argv, io) => replayMain(argv, io));
