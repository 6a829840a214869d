/**
 * A request's built-in tool entry checked against its tool's schema: the entry, or a 400 naming
 * the offending field under `param` (`tools[0].max_num_results`), as OpenAI words them.
 */
import type { z } from 'zod';
import { invalidRequest } from '../errors.js';
import { gatewayDetails } from '../protocol/issues.js';

export function parseToolEntry<Schema extends z.ZodType>(
  schema: Schema,
  entry: Record<string, unknown>,
  param: string,
): z.infer<Schema> {
  const parsed = schema.safeParse(entry);
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
