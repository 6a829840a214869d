/**
 * `tool_search` run by the client (`execution: "client"`): the model asks for tools with the
 * arguments the entry's `parameters` describe; the client answers with `tool_search_output`,
 * whose tools the model may call from then on (build-model-request.ts declares them).
 */
import { type ClientTool, isRecord, objectArgs } from './client-tool.js';

const DEFAULT_PARAMETERS = {
  type: 'object',
  properties: { query: { type: 'string', description: 'What the tools should do.' } },
  required: ['query'],
  additionalProperties: false,
};

export const toolSearchTool: ClientTool = {
  toolType: 'tool_search',
  itemType: 'tool_search_call',
  outputType: 'tool_search_output',
  idPrefix: 'tsc',
  declare: (entry) => ({
    name: 'tool_search',
    description:
      typeof entry.description === 'string' && entry.description !== ''
        ? entry.description
        : 'Searches for more tools and loads those that match; call them once loaded.',
    parameters: isRecord(entry.parameters) ? entry.parameters : DEFAULT_PARAMETERS,
  }),
  // The function's arguments are the search's own.
  item: (id, callId, args) => ({
    id,
    type: 'tool_search_call',
    call_id: callId,
    arguments: objectArgs(args),
    execution: 'client',
    status: 'completed',
  }),
  argumentsOf: (item) => JSON.stringify(item.arguments ?? {}),
  answer: (output) => {
    const names = (Array.isArray(output.tools) ? output.tools : []).map((tool: unknown) =>
      isRecord(tool) ? String(tool.name ?? tool.type) : '?',
    );
    return { text: names.length > 0 ? `Tools loaded: ${names.join(', ')}.` : 'No tools found.' };
  },
};

/** Whether a tool_search entry is the client's to run (else the upstream's, when it can). */
export function isClientToolSearch(entry: Record<string, unknown>): boolean {
  return entry.execution === 'client';
}
