/** Query string of `GET /v1/responses/{id}`: `stream`, `starting_after`, `include[]`. */
import { z } from 'zod';
import { includableSchema } from './create-response.js';

const booleanString = z.enum(['true', 'false']).transform((value) => value === 'true');

export const retrieveQuerySchema = z.strictObject({
  stream: booleanString.optional(),
  starting_after: z.string().regex(/^\d+$/, 'expected a non-negative integer').transform(Number).optional(),
  include: z.array(includableSchema).optional(),
  include_obfuscation: booleanString.optional(),
});
