/** Entry point of `npm run make-event`; see scripts/make-event/options.ts for the options. */
import { runCli } from './cli/run-cli.js';
import { makeEvent } from './make-event/make-event.js';
import { MAKE_EVENT_TOOL } from './make-event/options.js';

process.exitCode = await runCli(MAKE_EVENT_TOOL, makeEvent);
