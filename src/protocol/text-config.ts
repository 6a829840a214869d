/** `text`: the output format (plain text, JSON object or JSON schema) and verbosity. */

import { z } from 'zod';
import { identifierSchema, jsonObjectSchema } from './primitives.js';

export const jsonSchemaFormatSchema = z.strictObject({
  type: z.literal('json_schema'),
  name: identifierSchema,
  schema: jsonObjectSchema,
  description: z.string().optional(),
  strict: z.boolean().nullable().optional(),
});

/** openai `ResponseFormatTextConfig`. */
export const textFormatSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  jsonSchemaFormatSchema,
]);
export type TextFormat = z.infer<typeof textFormatSchema>;

/** openai `ResponseTextConfig`. */
export const textConfigSchema = z.strictObject({
  format: textFormatSchema.optional(),
  verbosity: z.enum(['low', 'medium', 'high']).nullable().optional(),
});
export type TextConfig = z.infer<typeof textConfigSchema>;
