/**
 * A real MCP server built with the SDK, on 127.0.0.1, for the gateway's MCP tests: Streamable HTTP
 * on `/mcp`, the older HTTP+SSE transport on `/sse` (+ `/messages`). Its tools succeed (`add`,
 * `read_notes`, read-only), fail (`fail` answers isError, `explode` throws) and hang (`hang`). It
 * records the calls, the sessions opened and the headers it was sent.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface McpTestServer {
  /** Streamable HTTP endpoint. */
  url: string;
  /** HTTP+SSE endpoint. */
  sseUrl: string;
  calls: Array<{ name: string; args: Record<string, unknown> }>;
  /** Sessions opened (one `initialize` each), by transport. */
  sessions: { streamable: number; sse: number };
  /** The `authorization` header of each session's first request. */
  authorizations: Array<string | undefined>;
  reset(): void;
  close(): Promise<void>;
}

function toolServer(server: McpTestServer): McpServer {
  const mcp = new McpServer({ name: 'test-tools', version: '1.0.0' });
  const record = (name: string, args: Record<string, unknown>) => server.calls.push({ name, args });
  mcp.registerTool(
    'add',
    { description: 'Adds two numbers.', inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => {
      record('add', { a, b });
      return { content: [{ type: 'text', text: String(a + b) }] };
    },
  );
  mcp.registerTool(
    'read_notes',
    { description: 'Reads the notes.', annotations: { readOnlyHint: true } },
    async () => {
      record('read_notes', {});
      return { content: [{ type: 'text', text: 'Buy milk.' }] };
    },
  );
  mcp.registerTool('fail', { description: 'Always fails.' }, async () => {
    record('fail', {});
    return { isError: true, content: [{ type: 'text', text: 'The notes are locked.' }] };
  });
  mcp.registerTool('explode', { description: 'Throws.' }, async () => {
    record('explode', {});
    throw new Error('kaboom');
  });
  mcp.registerTool('hang', { description: 'Never answers.' }, async (extra) => {
    record('hang', {});
    return new Promise<never>((_resolve, reject) => {
      extra.signal.addEventListener('abort', () => reject(new Error('aborted')));
    });
  });
  return mcp;
}

export async function startMcpTestServer(): Promise<McpTestServer> {
  const streamable = new Map<string, StreamableHTTPServerTransport>();
  const sse = new Map<string, SSEServerTransport>();
  const bearer = (req: IncomingMessage) => req.headers.authorization;
  // Filled in below; the tool callbacks read its records.
  const state: McpTestServer = {
    url: '',
    sseUrl: '',
    calls: [],
    sessions: { streamable: 0, sse: 0 },
    authorizations: [],
    reset() {
      state.calls.length = 0;
      state.sessions.streamable = 0;
      state.sessions.sse = 0;
      state.authorizations.length = 0;
    },
    close: async () => {},
  };
  const http: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (url.pathname === '/mcp') {
        const id = req.headers['mcp-session-id'];
        let transport = typeof id === 'string' ? streamable.get(id) : undefined;
        if (!transport) {
          if (req.method !== 'POST') {
            res.writeHead(400).end();
            return;
          }
          state.sessions.streamable++;
          state.authorizations.push(bearer(req));
          const created = new StreamableHTTPServerTransport({
            sessionIdGenerator: () => randomUUID(),
            onsessioninitialized: (sessionId) => {
              streamable.set(sessionId, created);
            },
          });
          transport = created;
          await toolServer(state).connect(created);
        }
        await transport.handleRequest(req, res);
        return;
      }
      if (url.pathname === '/sse' && req.method === 'GET') {
        state.sessions.sse++;
        state.authorizations.push(bearer(req));
        const transport = new SSEServerTransport('/messages', res);
        sse.set(transport.sessionId, transport);
        res.on('close', () => sse.delete(transport.sessionId));
        await toolServer(state).connect(transport);
        return;
      }
      if (url.pathname === '/messages' && req.method === 'POST') {
        const transport = sse.get(url.searchParams.get('sessionId') ?? '');
        if (!transport) {
          res.writeHead(404).end();
          return;
        }
        await transport.handlePostMessage(req, res);
        return;
      }
      // What an SSE-only server answers to a Streamable HTTP attempt.
      res.writeHead(404).end();
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}/mcp`;
  state.sseUrl = `http://127.0.0.1:${port}/sse`;
  state.close = async () => {
    for (const transport of [...streamable.values(), ...sse.values()])
      await transport.close().catch(() => {});
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };
  return state;
}
