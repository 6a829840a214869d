/** A tool's MCP result as the `mcp_call` item's `output` shows it and the model reads it. */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** Text parts joined; other parts (images, resources) and structured content as JSON. */
export function resultText(result: CallToolResult): string {
  const parts = result.content.map((part) => (part.type === 'text' ? part.text : JSON.stringify(part)));
  if (parts.length === 0 && result.structuredContent !== undefined)
    return JSON.stringify(result.structuredContent);
  return parts.join('\n');
}
