/**
 * A server's tools for one response: the `mcp_list_tools` item an earlier turn (previous_response_id
 * chain or conversation) made for the same server label, or a fresh listing shown as a new item.
 * A listing that fails is a failed item with the reason; the model then has none of its tools.
 */
import { newId } from '../../ids.js';
import type { FinishedItem } from '../types.js';
import type { ListedTool } from './mcp-policy.js';
import { describeFailure, type McpSession } from './mcp-session.js';

export type Listing = { tools: ListedTool[]; item: FinishedItem | undefined };

/** The latest successful listing of this server among earlier items. */
export function earlierListing(
  earlier: readonly Record<string, unknown>[],
  serverLabel: string,
): ListedTool[] | undefined {
  for (let i = earlier.length - 1; i >= 0; i--) {
    const item = earlier[i]!;
    if (item.type !== 'mcp_list_tools' || item.server_label !== serverLabel) continue;
    if (item.error != null || !Array.isArray(item.tools)) continue;
    return item.tools.filter(isListedTool);
  }
  return undefined;
}

function isListedTool(tool: unknown): tool is ListedTool {
  return typeof tool === 'object' && tool !== null && typeof (tool as { name?: unknown }).name === 'string';
}

export async function listServer(
  session: McpSession,
  serverLabel: string,
  signal: AbortSignal,
  keep: (tools: ListedTool[]) => ListedTool[],
): Promise<Listing> {
  const opened = { server_label: serverLabel, tools: [] };
  const id = newId('mcpl');
  try {
    const tools = keep(await session.listTools(signal));
    return {
      tools,
      item: {
        type: 'mcp_list_tools',
        id,
        opened,
        progress: [],
        done: { ...opened, tools, error: null, status: 'completed' },
      },
    };
  } catch (error) {
    // The response's own end (cancel, disconnect) is not the server's failure.
    if (signal.aborted) throw error;
    const done = {
      ...opened,
      error: `Error retrieving tool list from MCP server '${serverLabel}': ${describeFailure(error)}`,
      status: 'failed',
    };
    return { tools: [], item: { type: 'mcp_list_tools', id, opened, progress: [], done } };
  }
}
