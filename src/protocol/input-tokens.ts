/** The body of `POST /v1/responses/input_tokens` (openai `InputTokenCountParams`). */

import { z } from 'zod';
import { conversationSchema, reasoningConfigSchema } from './create-response.js';
import { inputSchema } from './input-items.js';
import { addGatewayIssue } from './issues.js';
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
  .superRefine((body, ctx) => {
    if (body.previous_response_id != null && body.conversation != null) {
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
  });

export type InputTokensBody = z.infer<typeof inputTokensBodySchema>;
