/** allowed_tools and require_approval filters over a server's tools. */
import { describe, expect, it } from 'vitest';
import { parseMcpEntry } from '../../../src/tools/mcp/mcp-entry.js';
import { allowedTools, type ListedTool, needsApproval } from '../../../src/tools/mcp/mcp-policy.js';

const tools: ListedTool[] = [
  { name: 'read', input_schema: {}, annotations: { readOnlyHint: true } },
  { name: 'write', input_schema: {}, annotations: null },
];
const entry = (extra: Record<string, unknown>) =>
  parseMcpEntry({ type: 'mcp', server_label: 's', server_url: 'http://h/mcp', ...extra }, 'tools[0]');
const names = (list: ListedTool[]) => list.map((tool) => tool.name);

describe('MCP tool policy', () => {
  it('filters allowed_tools by list, names and read_only', () => {
    expect(names(allowedTools(entry({}), tools))).toEqual(['read', 'write']);
    expect(names(allowedTools(entry({ allowed_tools: ['write'] }), tools))).toEqual(['write']);
    expect(names(allowedTools(entry({ allowed_tools: { tool_names: ['read'] } }), tools))).toEqual(['read']);
    expect(names(allowedTools(entry({ allowed_tools: { read_only: false } }), tools))).toEqual(['write']);
    expect(names(allowedTools(entry({ allowed_tools: {} }), tools))).toEqual(['read', 'write']);
  });

  it('asks by default, never with never, and as the filters say', () => {
    const ask = (policy: unknown) =>
      tools.map((tool) => needsApproval(entry({ require_approval: policy }), tool));
    expect(ask(undefined)).toEqual([true, true]);
    expect(ask('always')).toEqual([true, true]);
    expect(ask('never')).toEqual([false, false]);
    expect(ask({ never: { tool_names: ['read'] } })).toEqual([false, true]);
    expect(ask({ never: { read_only: true } })).toEqual([false, true]);
    expect(ask({ always: { tool_names: ['write'] } })).toEqual([false, true]);
  });

  it('refuses entries it cannot serve, naming the parameter', () => {
    expect(() => entry({ server_url: undefined, connector_id: 'connector_gmail' })).toThrow(
      expect.objectContaining({ status: 400, param: 'tools[0].connector_id' }),
    );
    expect(() => entry({ server_url: 'ftp://h' })).toThrow(
      expect.objectContaining({ param: 'tools[0].server_url' }),
    );
    expect(() => entry({ server_label: 'bad label' })).toThrow(
      expect.objectContaining({ param: 'tools[0].server_label' }),
    );
    expect(() => entry({ require_approval: 'sometimes' })).toThrow(
      expect.objectContaining({ param: 'tools[0].require_approval' }),
    );
  });
});
