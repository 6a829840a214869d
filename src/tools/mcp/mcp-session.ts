/**
 * One connection to a remote MCP server for the length of one response, made on first use and
 * shared by the listing and every call: Streamable HTTP first, the older HTTP+SSE transport when
 * the server does not speak it. Every request goes through the gateway's SSRF guard (its fetch).
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { OutboundError } from '../../net/outbound-error.js';
import type { ListedTool } from './mcp-policy.js';

export interface SessionTarget {
  url: string;
  headers: Record<string, string>;
}

const CLIENT_INFO = { name: 'responses-gateway', version: '0.1.0' };
/** A server with this many pages of tools is not one a model can use anyway. */
const MAX_PAGES = 20;

export class McpSession {
  private client: Promise<Client> | undefined;

  constructor(
    private readonly target: SessionTarget,
    private readonly fetch: FetchLike,
    /** Limit of one request to the server (connecting, listing, a call). */
    private readonly timeoutMs: number,
  ) {}

  async listTools(signal: AbortSignal): Promise<ListedTool[]> {
    const client = await this.connect(signal);
    const tools: ListedTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await client.listTools(cursor === undefined ? {} : { cursor }, this.options(signal));
      for (const tool of result.tools) {
        tools.push({
          name: tool.name,
          description: tool.description ?? null,
          input_schema: tool.inputSchema,
          annotations: tool.annotations ?? null,
        });
      }
      cursor = result.nextCursor;
      if (cursor === undefined) break;
    }
    return tools;
  }

  async callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const client = await this.connect(signal);
    const result = await client.callTool({ name, arguments: args }, undefined, this.options(signal));
    // A server still answering in the protocol's old shape (`toolResult`) has no content list.
    return 'content' in result && Array.isArray(result.content)
      ? (result as CallToolResult)
      : { content: [{ type: 'text', text: JSON.stringify(result.toolResult ?? null) }] };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client.then(
      (connected) => connected.close(),
      () => undefined,
    );
  }

  private connect(signal: AbortSignal): Promise<Client> {
    this.client ??= this.open(signal);
    return this.client;
  }

  private async open(signal: AbortSignal): Promise<Client> {
    const { Client, SSEClientTransport, StreamableHTTPClientTransport } = await loadSdk();
    const url = new URL(this.target.url);
    const init = { requestInit: { headers: this.target.headers }, fetch: this.fetch };
    const streamable = new Client(CLIENT_INFO);
    let first: unknown;
    try {
      await streamable.connect(new StreamableHTTPClientTransport(url, init), this.options(signal));
      return streamable;
    } catch (error) {
      await streamable.close().catch(() => undefined);
      // Refused by the guard, or given up by the caller: another transport would fare no better.
      if (error instanceof OutboundError || signal.aborted) throw error;
      first = error;
    }
    const sse = new Client(CLIENT_INFO);
    try {
      await sse.connect(new SSEClientTransport(url, init), this.options(signal));
      return sse;
    } catch {
      await sse.close().catch(() => undefined);
      // A server down for both says more in the first transport's words.
      throw first;
    }
  }

  private options(signal: AbortSignal) {
    return { signal, timeout: this.timeoutMs };
  }
}

/**
 * The SDK is loaded on the first MCP request, not at start-up: it weighs a second or more of
 * imports that a gateway whose clients use no MCP server never needs.
 */
async function loadSdk() {
  const [client, streamable, sse] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/client/sse.js'),
  ]);
  return {
    Client: client.Client,
    StreamableHTTPClientTransport: streamable.StreamableHTTPClientTransport,
    SSEClientTransport: sse.SSEClientTransport,
  };
}

/** What the model and the item are told about a failure: the innermost reason, without a stack. */
export function describeFailure(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof OutboundError) return current.message;
    const cause = (current as { cause?: unknown } | undefined)?.cause;
    if (cause === undefined) break;
    current = cause;
  }
  return error instanceof Error ? error.message : String(error);
}
