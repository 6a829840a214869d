/**
 * `tools`: function and custom tools are validated strictly; built-in (hosted) tools only check
 * their `type` and mandatory fields and pass their other settings through.
 */

import { z } from 'zod';
import { allowedCallersSchema, identifierSchema, jsonObjectSchema } from './primitives.js';

export const functionToolSchema = z.strictObject({
  type: z.literal('function'),
  name: identifierSchema,
  description: z.string().nullable().optional(),
  /** Required by the openai types (openai-node always sends them) but omitted by other clients. */
  parameters: jsonObjectSchema.nullable().optional(),
  strict: z.boolean().nullable().optional(),
  allowed_callers: allowedCallersSchema.nullable().optional(),
  defer_loading: z.boolean().optional(),
  output_schema: jsonObjectSchema.nullable().optional(),
});
export type FunctionTool = z.infer<typeof functionToolSchema>;

export const customToolFormatSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({
    type: z.literal('grammar'),
    syntax: z.enum(['lark', 'regex']),
    definition: z.string(),
  }),
]);

export const customToolSchema = z.strictObject({
  type: z.literal('custom'),
  name: identifierSchema,
  description: z.string().optional(),
  format: customToolFormatSchema.optional(),
  allowed_callers: allowedCallersSchema.nullable().optional(),
  defer_loading: z.boolean().optional(),
});
export type CustomTool = z.infer<typeof customToolSchema>;

// --- Built-in tools ------------------------------------------------------------------------------

const fileSearchToolSchema = z.looseObject({
  type: z.literal('file_search'),
  vector_store_ids: z.array(z.string()),
});

const webSearchToolSchema = z.looseObject({
  type: z.enum(['web_search', 'web_search_2025_08_26']),
});

const webSearchPreviewToolSchema = z.looseObject({
  type: z.enum(['web_search_preview', 'web_search_preview_2025_03_11']),
});

const computerToolSchema = z.looseObject({ type: z.literal('computer') });

const computerUsePreviewToolSchema = z.looseObject({
  type: z.literal('computer_use_preview'),
  display_width: z.number(),
  display_height: z.number(),
  environment: z.enum(['windows', 'mac', 'linux', 'ubuntu', 'browser']),
});

const codeInterpreterToolSchema = z.looseObject({
  type: z.literal('code_interpreter'),
  /** A container id, or `{type: "auto", ...}`. */
  container: z.union([z.string(), z.looseObject({ type: z.literal('auto') })]),
});

const imageGenerationToolSchema = z.looseObject({ type: z.literal('image_generation') });

const mcpToolSchema = z.looseObject({
  type: z.literal('mcp'),
  server_label: z.string(),
});

const localShellToolSchema = z.looseObject({ type: z.literal('local_shell') });
const shellToolSchema = z.looseObject({ type: z.literal('shell') });
const applyPatchToolSchema = z.looseObject({ type: z.literal('apply_patch') });
const toolSearchToolSchema = z.looseObject({ type: z.literal('tool_search') });
const programmaticToolCallingToolSchema = z.looseObject({ type: z.literal('programmatic_tool_calling') });

/** A group of function/custom tools under a shared name. */
const namespaceToolSchema = z.looseObject({
  type: z.literal('namespace'),
  name: z.string(),
  description: z.string(),
  tools: z.array(
    z.looseObject({
      type: z.enum(['function', 'custom']),
      name: identifierSchema,
    }),
  ),
});

/** One entry of `tools` (openai `Tool`). */
export const toolSchema = z.discriminatedUnion('type', [
  functionToolSchema,
  customToolSchema,
  fileSearchToolSchema,
  webSearchToolSchema,
  webSearchPreviewToolSchema,
  computerToolSchema,
  computerUsePreviewToolSchema,
  codeInterpreterToolSchema,
  imageGenerationToolSchema,
  mcpToolSchema,
  localShellToolSchema,
  shellToolSchema,
  applyPatchToolSchema,
  namespaceToolSchema,
  toolSearchToolSchema,
  programmaticToolCallingToolSchema,
]);
export type Tool = z.infer<typeof toolSchema>;
