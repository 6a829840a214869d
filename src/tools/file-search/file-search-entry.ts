/** The request's `{type: "file_search", …}` entry (openai `FileSearchTool`), checked strictly. */
import { z } from 'zod';
import { attributeFilterSchema } from '../../protocol/attribute-filter.js';
import { rankingOptionsSchema } from '../../protocol/vector-stores.js';
import { parseToolEntry } from '../parse-entry.js';

export const fileSearchEntrySchema = z.strictObject({
  type: z.literal('file_search'),
  vector_store_ids: z.array(z.string()).min(1),
  filters: attributeFilterSchema.nullable().optional(),
  max_num_results: z.int().min(1).max(50).optional(),
  ranking_options: rankingOptionsSchema.optional(),
});
export type FileSearchEntry = z.infer<typeof fileSearchEntrySchema>;

/** The entry, or a 400 naming the field under `param` (`tools[0].max_num_results`). */
export function parseFileSearchEntry(entry: Record<string, unknown>, param: string): FileSearchEntry {
  return parseToolEntry(fileSearchEntrySchema, entry, param);
}
