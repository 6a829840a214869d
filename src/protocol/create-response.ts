/**
 * The body of `POST /v1/responses` (openai `ResponseCreateParams`). Objects are strict so unknown
 * parameters are reported; null stays distinct from absent and nothing is coerced or defaulted.
 * Render failures with `parseCreateResponseBody` in ../validate-request.ts.
 */

import { z } from 'zod';
import { inputOnlyContentSchema } from './content.js';
import { inputSchema } from './input-items.js';
import { addGatewayIssue } from './issues.js';
import { decimal, integer, metadataSchema } from './primitives.js';
import { textConfigSchema } from './text-config.js';
import { toolChoiceSchema } from './tool-choice.js';
import { toolSchema } from './tools.js';

export { type InputContent, inputContentSchema } from './content.js';
export { type InputItem, inputItemSchema } from './input-items.js';
export { type TextConfig, textConfigSchema } from './text-config.js';
export { type ToolChoice, toolChoiceSchema } from './tool-choice.js';
export { type Tool, toolSchema } from './tools.js';

/** openai `ResponseIncludable`. */
export const includableSchema = z.enum([
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'reasoning.encrypted_content',
  'message.output_text.logprobs',
]);
export type Includable = z.infer<typeof includableSchema>;

const summaryModeSchema = z.enum(['auto', 'concise', 'detailed']);

/** openai `Reasoning`. */
export const reasoningConfigSchema = z.strictObject({
  effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
  summary: summaryModeSchema.nullable().optional(),
  /** Deprecated alias of `summary`. */
  generate_summary: summaryModeSchema.nullable().optional(),
  context: z.enum(['auto', 'current_turn', 'all_turns']).nullable().optional(),
  mode: z.string().optional(),
});
export type ReasoningConfig = z.infer<typeof reasoningConfigSchema>;

/** openai `ResponseConversationParam`, or its id. */
export const conversationSchema = z.union([z.string(), z.strictObject({ id: z.string() })]);

export const contextManagementSchema = z.strictObject({
  type: z.literal('compaction'),
  compact_threshold: integer({ min: 1000 }).nullable().optional(),
});

/** openai `ResponsePrompt`. */
export const promptSchema = z.strictObject({
  id: z.string(),
  version: z.string().nullable().optional(),
  variables: z
    .record(z.string(), z.union([z.string(), inputOnlyContentSchema]))
    .nullable()
    .optional(),
});

const moderationModeSchema = z.strictObject({ mode: z.enum(['score', 'block']) });

export const moderationSchema = z.strictObject({
  model: z.string(),
  policy: z
    .strictObject({
      input: moderationModeSchema.nullable().optional(),
      output: moderationModeSchema.nullable().optional(),
    })
    .nullable()
    .optional(),
});

export const createResponseBodySchema = z
  .strictObject({
    model: z.string().min(1),
    input: inputSchema.optional(),
    instructions: z.string().nullable().optional(),
    previous_response_id: z.string().nullable().optional(),
    conversation: conversationSchema.nullable().optional(),
    prompt: promptSchema.nullable().optional(),

    tools: z.array(toolSchema).optional(),
    tool_choice: toolChoiceSchema.optional(),
    parallel_tool_calls: z.boolean().nullable().optional(),
    max_tool_calls: integer({ min: 1 }).nullable().optional(),

    text: textConfigSchema.optional(),
    reasoning: reasoningConfigSchema.nullable().optional(),
    temperature: decimal({ min: 0, max: 2 }).nullable().optional(),
    top_p: decimal({ min: 0, max: 1 }).nullable().optional(),
    top_logprobs: integer({ min: 0, max: 20 }).nullable().optional(),
    max_output_tokens: integer({ min: 16 }).nullable().optional(),
    truncation: z.enum(['auto', 'disabled']).nullable().optional(),
    context_management: z.array(contextManagementSchema).nullable().optional(),
    include: z.array(includableSchema).nullable().optional(),

    stream: z.boolean().nullable().optional(),
    stream_options: z.strictObject({ include_obfuscation: z.boolean().optional() }).nullable().optional(),
    background: z.boolean().nullable().optional(),
    store: z.boolean().nullable().optional(),
    service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullable().optional(),

    metadata: metadataSchema.nullable().optional(),
    safety_identifier: z.string().max(64).nullable().optional(),
    prompt_cache_key: z.string().nullable().optional(),
    /** The openai types say `in_memory`; OpenAI's docs have said `in-memory`. Both are accepted. */
    prompt_cache_retention: z.enum(['in_memory', 'in-memory', '24h']).nullable().optional(),
    prompt_cache_options: z
      .strictObject({ mode: z.enum(['implicit', 'explicit']).optional(), ttl: z.literal('30m').optional() })
      .optional(),
    moderation: moderationSchema.nullable().optional(),
    /** Deprecated in favour of `safety_identifier` and `prompt_cache_key`. */
    user: z.string().optional(),
    /** Sent by Codex CLI; not an OpenAI parameter. Accepted and ignored. */
    client_metadata: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.stream_options != null && body.stream !== true) {
      addGatewayIssue(
        ctx,
        {
          code: 'invalid_value',
          message: (p) => `Invalid '${p}': '${p}' is only allowed when 'stream' is true.`,
        },
        ['stream_options'],
      );
    }
    checkOneContext(body, ctx);
  });

export type CreateResponseBody = z.infer<typeof createResponseBodySchema>;

/** A response continues either a previous response or a conversation, never both (as OpenAI's). */
export function checkOneContext(
  body: { previous_response_id?: string | null | undefined; conversation?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (body.previous_response_id == null || body.conversation == null) return;
  addGatewayIssue(
    ctx,
    {
      code: 'mutually_exclusive_parameters',
      message: () =>
        "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
    },
    ['conversation'],
  );
}
