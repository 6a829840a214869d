/**
 * Content parts: what goes in a message's `content` array, in `function_call_output.output` and in
 * prompt variables.
 */

import { z } from 'zod';
import { addGatewayIssue } from './issues.js';
import { decimal, integer } from './primitives.js';

const promptCacheBreakpointSchema = z.strictObject({ mode: z.literal('explicit') });
const imageDetailSchema = z.enum(['low', 'high', 'auto', 'original']);
const fileDetailSchema = z.enum(['auto', 'low', 'high']);

/** An image needs a source; the types leave both optional. */
function requireImageSource(
  part: { image_url?: string | null; file_id?: string | null },
  ctx: z.RefinementCtx,
) {
  if (part.image_url == null && part.file_id == null) {
    addGatewayIssue(
      ctx,
      {
        code: 'missing_required_parameter',
        message: (p) => `Missing required parameter: '${p}'. Provide one of 'image_url' or 'file_id'.`,
      },
      ['image_url'],
    );
  }
}

function requireFileSource(
  part: { file_id?: string | null; file_data?: string | null; file_url?: string | null },
  ctx: z.RefinementCtx,
) {
  if (part.file_id == null && part.file_data == null && part.file_url == null) {
    addGatewayIssue(
      ctx,
      {
        code: 'missing_required_parameter',
        message: (p) =>
          `Missing required parameter: '${p}'. Provide one of 'file_id', 'file_data' or 'file_url'.`,
      },
      ['file_id'],
    );
  }
}

// --- Message content (ResponseInputText / ResponseInputImage / ResponseInputFile) -----------------

export const inputTextSchema = z.strictObject({
  type: z.literal('input_text'),
  text: z.string(),
  prompt_cache_breakpoint: promptCacheBreakpointSchema.optional(),
});

export const inputImageSchema = z
  .strictObject({
    type: z.literal('input_image'),
    image_url: z.string().nullable().optional(),
    file_id: z.string().nullable().optional(),
    /** OpenAI treats an absent detail as `auto`; left absent here. */
    detail: imageDetailSchema.optional(),
    prompt_cache_breakpoint: promptCacheBreakpointSchema.optional(),
  })
  .superRefine(requireImageSource);

export const inputFileSchema = z
  .strictObject({
    type: z.literal('input_file'),
    file_id: z.string().nullable().optional(),
    file_data: z.string().optional(),
    file_url: z.string().optional(),
    filename: z.string().optional(),
    detail: fileDetailSchema.optional(),
    prompt_cache_breakpoint: promptCacheBreakpointSchema.optional(),
  })
  .superRefine(requireFileSource);

// --- Assistant output content (ResponseOutputText / ResponseOutputRefusal) -----------------------

/** Annotations are replayed from earlier output; only their `type` is checked. */
const annotationSchema = z.looseObject({ type: z.string() });

const logprobSchema = z.looseObject({
  token: z.string(),
  logprob: decimal(),
  bytes: z.array(integer()).optional(),
});

export const outputTextSchema = z.strictObject({
  type: z.literal('output_text'),
  text: z.string(),
  annotations: z.array(annotationSchema).optional(),
  logprobs: z.array(logprobSchema).optional(),
});

export const refusalSchema = z.strictObject({
  type: z.literal('refusal'),
  refusal: z.string(),
});

/**
 * A part of a message's `content`, whatever its role: the input parts (openai
 * `ResponseInputContent`) plus the output parts of replayed assistant messages. OpenAI itself
 * rejects output parts in user messages and input parts in assistant ones; the gateway leaves that
 * to the converters.
 */
export const inputContentSchema = z.discriminatedUnion('type', [
  inputTextSchema,
  inputImageSchema,
  inputFileSchema,
  outputTextSchema,
  refusalSchema,
]);
export type InputContent = z.infer<typeof inputContentSchema>;

/** openai `ResponseInputContent` only (prompt variables). */
export const inputOnlyContentSchema = z.discriminatedUnion('type', [
  inputTextSchema,
  inputImageSchema,
  inputFileSchema,
]);

// --- Tool output content (ResponseInputTextContent / ...ImageContent / ...FileContent) -----------

const toolOutputTextSchema = z.strictObject({
  type: z.literal('input_text'),
  text: z.string(),
  prompt_cache_breakpoint: promptCacheBreakpointSchema.nullable().optional(),
});

const toolOutputImageSchema = z
  .strictObject({
    type: z.literal('input_image'),
    image_url: z.string().nullable().optional(),
    file_id: z.string().nullable().optional(),
    detail: imageDetailSchema.nullable().optional(),
    prompt_cache_breakpoint: promptCacheBreakpointSchema.nullable().optional(),
  })
  .superRefine(requireImageSource);

const toolOutputFileSchema = z
  .strictObject({
    type: z.literal('input_file'),
    file_id: z.string().nullable().optional(),
    file_data: z.string().nullable().optional(),
    file_url: z.string().nullable().optional(),
    filename: z.string().nullable().optional(),
    detail: fileDetailSchema.optional(),
    prompt_cache_breakpoint: promptCacheBreakpointSchema.nullable().optional(),
  })
  .superRefine(requireFileSource);

/** A part of `function_call_output.output` / `custom_tool_call_output.output`. */
export const toolOutputContentSchema = z.discriminatedUnion('type', [
  toolOutputTextSchema,
  toolOutputImageSchema,
  toolOutputFileSchema,
]);
export type ToolOutputContent = z.infer<typeof toolOutputContentSchema>;
