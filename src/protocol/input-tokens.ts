/** The body of `POST /v1/responses/input_tokens` (openai `InputTokenCountParams`). */

import { z } from 'zod';
import { checkOneContext, conversationSchema, reasoningConfigSchema } from './create-response.js';
import { inputSchema } from './input-items.js';
import { textConfigSchema } from './text-config.js';
import { toolChoiceSchema } from './tool-choice.js';
import { toolSchema } from './tools.js';

export const inputTokensBodySchema = z
  .strictObject({
    model: z.string().min(1).nullable().optional(),
    input: inputSchema.nullable().optional(),
    instructions: z.string().nullable().optional(),
    previous_response_id: z.string().nullable().optional(),
    conversation: conversationSchema.nullable().optional(),
    tools: z.array(toolSchema).nullable().optional(),
    tool_choice: toolChoiceSchema.nullable().optional(),
    parallel_tool_calls: z.boolean().nullable().optional(),
    text: textConfigSchema.nullable().optional(),
    reasoning: reasoningConfigSchema.nullable().optional(),
    truncation: z.enum(['auto', 'disabled']).nullable().optional(),
    personality: z.string().max(64).optional(),
  })
  .superRefine(checkOneContext);

export type InputTokensBody = z.infer<typeof inputTokensBodySchema>;
