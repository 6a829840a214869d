/** `tool_choice`: a mode string, or an object naming a tool (or a set of allowed tools). */

import { z } from 'zod';

export const toolChoiceModeSchema = z.enum(['none', 'auto', 'required']);

/** `ToolChoiceTypes` plus the other `{type}`-only choices (apply_patch, shell, programmatic). */
export const HOSTED_TOOL_CHOICE_TYPES = [
  'file_search',
  'web_search_preview',
  'web_search_preview_2025_03_11',
  'computer',
  'computer_use',
  'computer_use_preview',
  'code_interpreter',
  'image_generation',
  'apply_patch',
  'shell',
  'programmatic_tool_calling',
] as const;

export const toolChoiceObjectSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('function'), name: z.string() }),
  z.strictObject({ type: z.literal('custom'), name: z.string() }),
  z.strictObject({
    type: z.literal('allowed_tools'),
    mode: z.enum(['auto', 'required']),
    /** Tool selectors such as `{type: "function", name: "x"}` or `{type: "web_search"}`. */
    tools: z.array(z.looseObject({ type: z.string() })),
  }),
  z.strictObject({
    type: z.literal('mcp'),
    server_label: z.string(),
    name: z.string().nullable().optional(),
  }),
  z.strictObject({ type: z.enum(HOSTED_TOOL_CHOICE_TYPES) }),
]);

export const toolChoiceSchema = z.union([toolChoiceModeSchema, toolChoiceObjectSchema]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;
