/** Query string of list endpoints: `limit`, `order`, `after`, `before`, `include[]`. */
import { z } from 'zod';
import { includableSchema } from './create-response.js';

const limit = z
  .string()
  .regex(/^\d+$/, 'expected an integer')
  .transform(Number)
  .pipe(z.number().int().min(1).max(100));

export const listQuerySchema = z.strictObject({
  limit: limit.optional(),
  order: z.enum(['asc', 'desc']).optional(),
  after: z.string().optional(),
  before: z.string().optional(),
  include: z.array(includableSchema).optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

/** Fastify gives `include[]=a&include[]=b` as `{'include[]': [...]}` or a lone string. */
export function normalizeListQuery(query: Record<string, unknown>): Record<string, unknown> {
  const { 'include[]': bracketed, include, ...rest } = query;
  const values = [bracketed, include].flat().filter((v): v is string => typeof v === 'string');
  return values.length > 0 ? { ...rest, include: values } : rest;
}
