/**
 * The request's `{type: "image_generation", …}` entry (openai `Tool.ImageGeneration`), checked
 * strictly. `action` defaults to `auto`, as OpenAI's: the model may edit an image of the context.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { parseToolEntry } from '../parse-entry.js';

const imageGenerationEntrySchema = z.strictObject({
  type: z.literal('image_generation'),
  action: z.enum(['generate', 'edit', 'auto']).optional(),
  background: z.enum(['transparent', 'opaque', 'auto']).optional(),
  input_fidelity: z.enum(['high', 'low']).nullable().optional(),
  input_image_mask: z
    .strictObject({ file_id: z.string().optional(), image_url: z.string().optional() })
    .optional(),
  model: z.string().min(1).optional(),
  moderation: z.enum(['auto', 'low']).optional(),
  output_compression: z.int().min(0).max(100).optional(),
  output_format: z.enum(['png', 'webp', 'jpeg']).optional(),
  partial_images: z.int().min(0).max(3).optional(),
  quality: z.enum(['low', 'medium', 'high', 'auto']).optional(),
  size: z
    .string()
    .regex(/^(auto|\d+x\d+)$/, 'a size such as 1024x1024 or auto')
    .optional(),
});
export type ImageGenerationEntry = z.infer<typeof imageGenerationEntrySchema>;

export function parseImageGenerationEntry(
  entry: Record<string, unknown>,
  param: string,
): ImageGenerationEntry {
  const parsed = parseToolEntry(imageGenerationEntrySchema, entry, param);
  const mask = parsed.input_image_mask;
  if (mask !== undefined && (mask.file_id === undefined) === (mask.image_url === undefined)) {
    throw invalidRequest(
      "input_image_mask takes one of 'image_url' or 'file_id'.",
      `${param}.input_image_mask`,
      'invalid_value',
    );
  }
  return parsed;
}
