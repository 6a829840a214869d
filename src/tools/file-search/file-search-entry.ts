/** The request's `{type: "file_search", …}` entry (openai `FileSearchTool`), checked strictly. */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { attributeFilterSchema } from '../../protocol/attribute-filter.js';
import { gatewayDetails } from '../../protocol/issues.js';
import { rankingOptionsSchema } from '../../protocol/vector-stores.js';

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
  const parsed = fileSearchEntrySchema.safeParse(entry);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  let field = param;
  for (const segment of issue.path) {
    field += typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`;
  }
  const details = gatewayDetails(issue);
  if (details) throw invalidRequest(details.message(field), field, details.code);
  if (issue.code === 'unrecognized_keys') {
    const unknown = `${field}.${issue.keys[0] ?? ''}`;
    throw invalidRequest(`Unknown parameter: '${unknown}'.`, unknown, 'unknown_parameter');
  }
  throw invalidRequest(`Invalid '${field}': ${issue.message}.`, field, 'invalid_value');
}
