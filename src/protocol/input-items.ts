/**
 * `input` items (openai `ResponseInputItem`): messages, function/custom tool calls and their
 * outputs, reasoning, compaction and item references are validated strictly; built-in tool call
 * items replayed from earlier output only check their `type` and main ids.
 */

import { z } from 'zod';
import { inputContentSchema, toolOutputContentSchema } from './content.js';
import { dispatch } from './dispatch.js';
import { callerSchema, itemStatusSchema } from './primitives.js';
import { toolSchema } from './tools.js';

// --- Messages ------------------------------------------------------------------------------------

/**
 * A message of any role: EasyInputMessage, ResponseInputItem.Message, or a replayed
 * ResponseOutputMessage (`id`, `status`). `type` may be omitted.
 */
export const messageSchema = z.strictObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(inputContentSchema)]),
  id: z.string().optional(),
  status: itemStatusSchema.optional(),
  phase: z.enum(['commentary', 'final_answer']).nullable().optional(),
});
export type MessageItem = z.infer<typeof messageSchema>;

// --- Function and custom tool calls ----------------------------------------------------------------

export const functionCallSchema = z.strictObject({
  type: z.literal('function_call'),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
  id: z.string().optional(),
  status: itemStatusSchema.optional(),
  namespace: z.string().optional(),
  caller: callerSchema.nullable().optional(),
});

const toolOutputSchema = z.union([z.string(), z.array(toolOutputContentSchema)]);

export const functionCallOutputSchema = z.strictObject({
  type: z.literal('function_call_output'),
  call_id: z.string(),
  output: toolOutputSchema,
  id: z.string().nullable().optional(),
  status: itemStatusSchema.nullable().optional(),
  caller: callerSchema.nullable().optional(),
});

export const customToolCallSchema = z.strictObject({
  type: z.literal('custom_tool_call'),
  call_id: z.string(),
  name: z.string(),
  input: z.string(),
  id: z.string().optional(),
  /** Not in the openai types, but Codex CLI replays it. */
  status: itemStatusSchema.optional(),
  namespace: z.string().optional(),
  caller: callerSchema.nullable().optional(),
});

export const customToolCallOutputSchema = z.strictObject({
  type: z.literal('custom_tool_call_output'),
  call_id: z.string(),
  output: toolOutputSchema,
  id: z.string().optional(),
  caller: callerSchema.nullable().optional(),
});

// --- Reasoning, compaction, references -----------------------------------------------------------

export const reasoningItemSchema = z.strictObject({
  type: z.literal('reasoning'),
  /** Required by the openai types, but stateless clients (Codex CLI) do not send it. */
  id: z.string().optional(),
  summary: z.array(z.strictObject({ type: z.literal('summary_text'), text: z.string() })),
  /** Codex CLI may send `null`. */
  content: z
    .array(z.strictObject({ type: z.literal('reasoning_text'), text: z.string() }))
    .nullable()
    .optional(),
  encrypted_content: z.string().nullable().optional(),
  status: itemStatusSchema.optional(),
});

export const compactionItemSchema = z.strictObject({
  type: z.literal('compaction'),
  encrypted_content: z.string(),
  id: z.string().nullable().optional(),
});

/** A reference to a stored item; `type` may be omitted or null. */
export const itemReferenceSchema = z.strictObject({
  type: z.literal('item_reference').nullable().optional(),
  id: z.string(),
});

// --- Built-in tool items (replayed output; extra fields pass through) ---------------------------

const builtInItemSchemas = [
  z.looseObject({ type: z.literal('file_search_call'), id: z.string() }),
  /** `id` is required by the openai types, but Codex CLI does not send it. */
  z.looseObject({ type: z.literal('web_search_call'), id: z.string().optional() }),
  z.looseObject({ type: z.literal('computer_call'), id: z.string(), call_id: z.string() }),
  z.looseObject({
    type: z.literal('computer_call_output'),
    call_id: z.string(),
    output: z.looseObject({ type: z.literal('computer_screenshot') }),
  }),
  z.looseObject({ type: z.literal('code_interpreter_call'), id: z.string() }),
  z.looseObject({ type: z.literal('image_generation_call'), id: z.string() }),
  /** `id` is required by the openai types, but Codex CLI does not send it. */
  z.looseObject({ type: z.literal('local_shell_call'), call_id: z.string(), id: z.string().optional() }),
  /** `id` is the id of the local_shell_call it answers. */
  z.looseObject({ type: z.literal('local_shell_call_output'), id: z.string(), output: z.string() }),
  z.looseObject({ type: z.literal('shell_call'), call_id: z.string() }),
  z.looseObject({ type: z.literal('shell_call_output'), call_id: z.string(), output: z.array(z.unknown()) }),
  z.looseObject({ type: z.literal('apply_patch_call'), call_id: z.string() }),
  z.looseObject({ type: z.literal('apply_patch_call_output'), call_id: z.string() }),
  z.looseObject({ type: z.literal('mcp_list_tools'), id: z.string(), server_label: z.string() }),
  z.looseObject({ type: z.literal('mcp_approval_request'), id: z.string(), server_label: z.string() }),
  z.looseObject({
    type: z.literal('mcp_approval_response'),
    approval_request_id: z.string(),
    approve: z.boolean(),
  }),
  z.looseObject({ type: z.literal('mcp_call'), id: z.string(), server_label: z.string() }),
  z.looseObject({ type: z.literal('tool_search_call') }),
  z.looseObject({ type: z.literal('tool_search_output'), tools: z.array(toolSchema) }),
  /** Its `role` ('developer') passes through unchecked so it is not mistaken for a message by type. */
  z.looseObject({ type: z.literal('additional_tools'), tools: z.array(toolSchema) }),
  z.looseObject({ type: z.literal('compaction_trigger') }),
  z.looseObject({ type: z.literal('program'), id: z.string(), call_id: z.string() }),
  z.looseObject({ type: z.literal('program_output'), id: z.string(), call_id: z.string() }),
] as const;

/** Every item that carries a `type` (messages may, item references may). */
export const typedInputItemSchema = z.discriminatedUnion('type', [
  messageSchema,
  functionCallSchema,
  functionCallOutputSchema,
  customToolCallSchema,
  customToolCallOutputSchema,
  reasoningItemSchema,
  compactionItemSchema,
  itemReferenceSchema,
  ...builtInItemSchemas,
]);
export type InputItem = z.infer<typeof typedInputItemSchema>;

/**
 * One `input` item. Without `type`, an object with a `role` (or without an `id`) is a message and
 * anything else an item reference, as OpenAI does.
 */
export const inputItemSchema = dispatch<InputItem>((item) => {
  if (item.type !== undefined) return typedInputItemSchema;
  return 'role' in item || !('id' in item) ? messageSchema : itemReferenceSchema;
});

/** `input`: a user message as a string, or a list of items. */
export const inputSchema = z.union([z.string(), z.array(inputItemSchema)]);

// --- Items of a model's context --------------------------------------------------------------------

/** Every item type `input` accepts; each output item type is one of them. */
const INPUT_ITEM_TYPES: ReadonlySet<string> = new Set(
  typedInputItemSchema.options.flatMap((option) => literalsOf(option.shape.type)),
);

function literalsOf(schema: z.core.$ZodType): string[] {
  if (schema instanceof z.ZodLiteral) return [...schema.values].map(String);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return literalsOf(schema.unwrap());
  return [];
}

/**
 * Whether an item (a stored one: validated input, or output the gateway made) has a type `input`
 * accepts — which makes it one of InputItem's variants.
 */
export function isInputItem<T extends { type?: unknown }>(item: T): item is T & InputItem {
  return typeof item.type === 'string' && INPUT_ITEM_TYPES.has(item.type);
}

/** A compaction item once the gateway verified its seal: the summary it stands for, opened. */
export type OpenedCompactionItem = z.infer<typeof compactionItemSchema> & {
  summary: string;
  /** How many items right before it the compaction leaves in place. */
  keep: number;
};

/** The items the engine builds a model's context from: what `input` accepts, compactions opened. */
export type ContextItem = InputItem | OpenedCompactionItem;
