/**
 * `mcp`: a remote MCP server's tools offered to the model as functions. Before the first model
 * call the server's tools are listed (or an earlier turn's listing is reused) and calls the client
 * approved run; a call that needs approval becomes an `mcp_approval_request` and ends the response,
 * never running until a later request approves it.
 */

import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { newId } from '../../ids.js';
import type { FunctionToolSpec } from '../../providers/types.js';
import type {
  BuiltInTool,
  FinishedItem,
  HeldCall,
  OpeningContext,
  PreparedTool,
  ToolCall,
  ToolExecution,
  ToolOpening,
  ToolReplay,
  ToolResult,
} from '../types.js';
import { approvedCalls } from './mcp-approvals.js';
import { openedCall, runMcpCall } from './mcp-call.js';
import { type McpEntry, parseMcpEntry, serverHeaders } from './mcp-entry.js';
import { earlierListing, listServer } from './mcp-listing.js';
import { functionName } from './mcp-names.js';
import { allowedTools, type ListedTool, needsApproval } from './mcp-policy.js';
import { McpSession } from './mcp-session.js';

export interface McpToolDeps {
  /** The SSRF-guarded fetch every request to a server goes through. */
  fetch: FetchLike;
  /** Limit of one request to a server (connecting, listing, a call). */
  requestTimeoutMs: number;
}

export function mcpTool(deps: McpToolDeps): BuiltInTool {
  return {
    type: 'mcp',
    itemType: 'mcp_call',
    idPrefix: 'mcp',
    otherItemTypes: ['mcp_list_tools', 'mcp_approval_request'],
    async prepare(entry, how) {
      const settings = parseMcpEntry(entry, how.param);
      const session = new McpSession(
        { url: settings.server_url, headers: serverHeaders(settings) },
        deps.fetch,
        deps.requestTimeoutMs,
      );
      return new McpServer(settings, session);
    },
    replay(item): ToolReplay | undefined {
      // The listing is told as the functions themselves; a request for approval by what followed it.
      if (item.type !== 'mcp_call') return undefined;
      const label = String(item.server_label ?? '');
      const name = String(item.name ?? '');
      const output = typeof item.output === 'string' ? item.output : null;
      const error = typeof item.error === 'string' ? item.error : null;
      return {
        toolName: functionName(label, name),
        arguments: typeof item.arguments === 'string' ? item.arguments : '{}',
        output:
          output ?? (error !== null ? `Error: ${error}` : `(status: ${String(item.status ?? 'unknown')})`),
      };
    },
  };
}

/** One request's `mcp` entry: its server, its session, the tools it offers. */
class McpServer implements PreparedTool {
  /** Function name (as offered) → the server's tool. */
  private readonly byFunction = new Map<string, ListedTool>();

  constructor(
    private readonly settings: McpEntry,
    private readonly session: McpSession,
  ) {}

  async begin(how: OpeningContext): Promise<ToolOpening> {
    const label = this.settings.server_label;
    const items: FinishedItem[] = [];
    let tools = earlierListing(how.earlier, label);
    if (tools) {
      tools = allowedTools(this.settings, tools);
    } else {
      const listing = await listServer(this.session, label, how.signal, (listed) =>
        allowedTools(this.settings, listed),
      );
      tools = listing.tools;
      if (listing.item) items.push(listing.item);
    }
    const functions: FunctionToolSpec[] = [];
    for (const tool of tools) {
      const name = functionName(label, tool.name);
      this.byFunction.set(name, tool);
      functions.push(this.functionSpec(name, tool));
    }
    for (const approved of approvedCalls(how, label)) {
      const id = newId('mcp');
      const progress: FinishedItem['progress'] = [];
      const result = await runMcpCall(this.session, approved, {
        signal: how.signal,
        progress: (update) => progress.push(update),
      });
      items.push({ type: 'mcp_call', id, opened: openedCall(approved), progress, done: result.item });
    }
    return { functions, items };
  }

  openItem(call: ToolCall): Record<string, unknown> {
    return openedCall(this.request(call));
  }

  hold(call: ToolCall): HeldCall | undefined {
    const tool = this.byFunction.get(call.function ?? '');
    if (!tool || !needsApproval(this.settings, tool)) return undefined;
    return {
      type: 'mcp_approval_request',
      idPrefix: 'mcpr',
      fields: { arguments: call.arguments, name: tool.name, server_label: this.settings.server_label },
    };
  }

  execute(call: ToolCall, how: ToolExecution): Promise<ToolResult> {
    return runMcpCall(this.session, this.request(call), how);
  }

  close(): Promise<void> {
    return this.session.close();
  }

  private request(call: ToolCall) {
    const tool = this.byFunction.get(call.function ?? '');
    return {
      serverLabel: this.settings.server_label,
      name: tool?.name ?? call.function ?? '',
      arguments: call.arguments,
      approvalRequestId: null,
    };
  }

  private functionSpec(name: string, tool: ListedTool): FunctionToolSpec {
    const about = this.settings.server_description;
    const description = [
      tool.description ?? '',
      about ? `(MCP server '${this.settings.server_label}': ${about})` : '',
    ]
      .filter((part) => part !== '')
      .join(' ');
    const schema = tool.input_schema;
    return {
      kind: 'function',
      name,
      ...(description !== '' ? { description } : {}),
      parameters:
        typeof schema === 'object' && schema !== null
          ? (schema as Record<string, unknown>)
          : { type: 'object' },
      // MCP schemas are not written for strict mode (optional properties, open objects).
      strict: false,
    };
  }
}
