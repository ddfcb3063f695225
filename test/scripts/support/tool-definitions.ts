import type { ToolDefinition } from '../../../scripts/cli/tool.js';
import { CUTOVER_TOOL } from '../../../scripts/cutover/options.js';
import { INVENTORY_TOOL } from '../../../scripts/inventory/inventory.js';
import { INVOKE_TOOL } from '../../../scripts/invoke/invoke.js';
import { RECONCILE_TOOL } from '../../../scripts/reconcile/options.js';
import { REDRIVE_TOOL } from '../../../scripts/redrive/options.js';
import { REPLAY_TOOL } from '../../../scripts/replay/options.js';

const TOOLS: Readonly<Record<string, ToolDefinition>> = {
  cutover: CUTOVER_TOOL,
  inventory: INVENTORY_TOOL,
  invoke: INVOKE_TOOL,
  reconcile: RECONCILE_TOOL,
  redrive: REDRIVE_TOOL,
  replay: REPLAY_TOOL,
};

/** A tool's definition by its name, for tests that run its main in-process through runCli. */
export const toolNamed = (name: string): ToolDefinition => {
  const tool = TOOLS[name];
  if (tool === undefined) throw new Error(`No tool named ${name}`);
  return tool;
};
