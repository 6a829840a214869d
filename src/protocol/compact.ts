/** The body of `POST /v1/responses/compact` (openai `ResponseCompactParams`). */

import { z } from 'zod';
import { inputSchema } from './input-items.js';

export const compactBodySchema = z.strictObject({
  model: z.string().min(1),
  input: inputSchema.nullable().optional(),
  instructions: z.string().nullable().optional(),
  previous_response_id: z.string().nullable().optional(),
  prompt_cache_key: z.string().nullable().optional(),
  prompt_cache_options: z
    .strictObject({ mode: z.enum(['implicit', 'explicit']).optional(), ttl: z.literal('30m').optional() })
    .nullable()
    .optional(),
  prompt_cache_retention: z.enum(['in_memory', 'in-memory', '24h']).nullable().optional(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullable().optional(),
});

export type CompactBody = z.infer<typeof compactBodySchema>;
