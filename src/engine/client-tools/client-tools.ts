/** Which client tool a `tools` entry, a call item or an output item belongs to. */
import { applyPatchTool } from './apply-patch.js';
import type { ClientTool, Entry } from './client-tool.js';
import { computerTool, computerUsePreviewTool } from './computer.js';
import { localShellTool } from './local-shell.js';
import { isClientShell, shellTool } from './shell.js';
import { isClientToolSearch, toolSearchTool } from './tool-search.js';

const BY_TYPE = new Map<string, ClientTool>(
  [applyPatchTool, shellTool, localShellTool, computerTool, computerUsePreviewTool, toolSearchTool].map(
    (tool) => [tool.toolType, tool],
  ),
);

/** The client tool a `tools` entry declares; not a hosted shell nor a tool_search the upstream runs. */
export function clientToolFor(entry: Entry): ClientTool | undefined {
  if (entry.type === 'shell' && !isClientShell(entry)) return undefined;
  if (entry.type === 'tool_search' && !isClientToolSearch(entry)) return undefined;
  return BY_TYPE.get(entry.type);
}

/** The client tool whose call this item is (a hosted shell's call is not). */
export function clientToolOfCall(item: Entry): ClientTool | undefined {
  switch (item.type) {
    case 'apply_patch_call':
      return applyPatchTool;
    case 'shell_call':
      return isClientShell(item) ? shellTool : undefined;
    case 'local_shell_call':
      return localShellTool;
    case 'computer_call':
      return item.actions === undefined && item.action !== undefined ? computerUsePreviewTool : computerTool;
    case 'tool_search_call':
      return item.execution === 'server' ? undefined : toolSearchTool;
    default:
      return undefined;
  }
}

/** The client tool this output item answers. */
export function clientToolOfOutput(item: Entry): ClientTool | undefined {
  switch (item.type) {
    case 'apply_patch_call_output':
      return applyPatchTool;
    case 'shell_call_output':
      return shellTool;
    case 'local_shell_call_output':
      return localShellTool;
    case 'computer_call_output':
      return computerTool;
    case 'tool_search_output':
      return item.execution === 'server' ? undefined : toolSearchTool;
    default:
      return undefined;
  }
}

/** The call an output item answers: `call_id` (local_shell_call_output names it by `id`). */
export function answeredCallId(item: Entry): string {
  if (typeof item.call_id === 'string') return item.call_id;
  return typeof item.id === 'string' ? item.id : '';
}
