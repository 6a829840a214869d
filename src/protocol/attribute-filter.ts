/**
 * `filters` on vector-store search and the file_search tool (openai `ComparisonFilter` and
 * `CompoundFilter`): comparisons on a file's `attributes`, nested under `and` / `or`.
 */
import { z } from 'zod';

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin';

export interface ComparisonFilter {
  type: ComparisonOperator;
  key: string;
  value: string | number | boolean | Array<string | number>;
}

export interface CompoundFilter {
  type: 'and' | 'or';
  filters: AttributeFilter[];
}

export type AttributeFilter = ComparisonFilter | CompoundFilter;

export const comparisonFilterSchema = z.strictObject({
  type: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin']),
  key: z.string(),
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]),
});

export const attributeFilterSchema: z.ZodType<AttributeFilter> = z.lazy(() =>
  z.union([
    comparisonFilterSchema,
    z.strictObject({
      type: z.enum(['and', 'or']),
      filters: z.array(attributeFilterSchema),
    }),
  ]),
);

/** `attributes` of a vector store file: up to 16 keys (≤ 64 chars), strings ≤ 512 chars. */
export const attributesSchema = z
  .record(z.string().max(64), z.union([z.string().max(512), z.number(), z.boolean()]))
  .refine((attributes) => Object.keys(attributes).length <= 16, {
    message: 'at most 16 attributes',
  });

export type Attributes = Record<string, string | number | boolean>;
