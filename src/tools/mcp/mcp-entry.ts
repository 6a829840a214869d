/**
 * The request's `{type: "mcp", …}` entry (openai `Tool.Mcp`), checked strictly: a server URL
 * (connectors and tunnels are OpenAI's own services, so they are a 400 here), which of its tools
 * the model sees and which of them need the client's approval first.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { parseToolEntry } from '../parse-entry.js';

const toolFilterSchema = z.strictObject({
  tool_names: z.array(z.string()).optional(),
  read_only: z.boolean().optional(),
});
export type ToolFilter = z.infer<typeof toolFilterSchema>;

export const mcpEntrySchema = z.strictObject({
  type: z.literal('mcp'),
  server_label: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, {
    message: 'must be 1 to 64 letters, digits, underscores or dashes',
  }),
  server_url: z.string().optional(),
  connector_id: z.string().optional(),
  tunnel_id: z.string().optional(),
  server_description: z.string().optional(),
  headers: z.record(z.string(), z.string()).nullable().optional(),
  authorization: z.string().optional(),
  allowed_tools: z
    .union([z.array(z.string()), toolFilterSchema])
    .nullable()
    .optional(),
  require_approval: z
    .union([
      z.enum(['always', 'never']),
      z.strictObject({ always: toolFilterSchema.optional(), never: toolFilterSchema.optional() }),
    ])
    .nullable()
    .optional(),
  defer_loading: z.boolean().optional(),
  allowed_callers: z
    .array(z.enum(['direct', 'programmatic']))
    .nullable()
    .optional(),
});
export type McpEntry = z.infer<typeof mcpEntrySchema> & { server_url: string };

export function parseMcpEntry(entry: Record<string, unknown>, param: string): McpEntry {
  const parsed = parseToolEntry(mcpEntrySchema, entry, param);
  if (parsed.connector_id !== undefined) {
    throw invalidRequest(
      `Connector '${parsed.connector_id}' is not configured on this gateway; give the MCP server's 'server_url' instead.`,
      `${param}.connector_id`,
      'unsupported_value',
    );
  }
  if (parsed.tunnel_id !== undefined) {
    throw invalidRequest(
      "Secure MCP tunnels are not available on this gateway; give the MCP server's 'server_url' instead.",
      `${param}.tunnel_id`,
      'unsupported_value',
    );
  }
  const url = parsed.server_url;
  if (url === undefined) {
    throw invalidRequest(
      `Missing required parameter: '${param}.server_url'.`,
      `${param}.server_url`,
      'missing_required_parameter',
    );
  }
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw invalidRequest(
      `Invalid '${param}.server_url': '${url}' is not a URL.`,
      `${param}.server_url`,
      'invalid_value',
    );
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw invalidRequest(
      `Invalid '${param}.server_url': MCP servers are reached over http or https, not '${protocol}'.`,
      `${param}.server_url`,
      'invalid_value',
    );
  }
  return { ...parsed, server_url: url };
}

/** The request's headers for the server: `authorization` is sent as a bearer token. */
export function serverHeaders(entry: McpEntry): Record<string, string> {
  const headers = { ...(entry.headers ?? {}) };
  if (entry.authorization !== undefined) headers.Authorization = `Bearer ${entry.authorization}`;
  return headers;
}
