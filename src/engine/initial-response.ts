/** The Response as it stands before any output: every field, holding the values used. */
import type { CreateResponseBody } from '../protocol/create-response.js';
import type { ResponseObject } from '../protocol/response.js';

export function initialResponse(id: string, body: CreateResponseBody, createdAt: number): ResponseObject {
  const background = body.background ?? false;
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: background ? 'queued' : 'in_progress',
    background,
    completed_at: null,
    content_filters: null,
    conversation:
      body.conversation == null
        ? null
        : { id: typeof body.conversation === 'string' ? body.conversation : body.conversation.id },
    error: null,
    frequency_penalty: 0,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: body.max_tool_calls ?? null,
    model: body.model,
    output: [],
    output_text: '',
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    presence_penalty: 0,
    previous_response_id: body.previous_response_id ?? null,
    prompt: body.prompt ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    prompt_cache_retention: body.prompt_cache_retention ?? null,
    reasoning: {
      effort: body.reasoning?.effort ?? null,
      summary: body.reasoning?.summary ?? body.reasoning?.generate_summary ?? null,
    },
    safety_identifier: body.safety_identifier ?? null,
    service_tier: body.service_tier ?? 'auto',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: {
      format: (body.text?.format as Record<string, unknown> | undefined) ?? { type: 'text' },
      verbosity: body.text?.verbosity ?? 'medium',
    },
    tool_choice: body.tool_choice ?? 'auto',
    tools: (body.tools ?? []).map(echoTool),
    top_logprobs: body.top_logprobs ?? 0,
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? 'disabled',
    usage: null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  };
}

/** Function tools come back with every field, as OpenAI echoes them. */
function echoTool(tool: NonNullable<CreateResponseBody['tools']>[number]): unknown {
  if (tool.type !== 'function') return tool;
  return {
    type: 'function',
    name: tool.name,
    description: tool.description ?? null,
    parameters: tool.parameters ?? null,
    strict: tool.strict ?? null,
  };
}
