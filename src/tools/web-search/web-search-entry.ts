/**
 * The request's web_search entries (openai `WebSearchTool` and `WebSearchPreviewTool`), checked
 * strictly: `filters` exists on the GA types only, `search_content_types` on the preview ones.
 */
import { z } from 'zod';
import { parseToolEntry } from '../parse-entry.js';

export const WEB_SEARCH_TYPES = ['web_search', 'web_search_2025_08_26'] as const;
export const WEB_SEARCH_PREVIEW_TYPES = ['web_search_preview', 'web_search_preview_2025_03_11'] as const;

const userLocationSchema = z.strictObject({
  type: z.literal('approximate').optional(),
  city: z.string().nullable().optional(),
  country: z.string().nullable().optional(),
  region: z.string().nullable().optional(),
  timezone: z.string().nullable().optional(),
});
export type UserLocation = z.infer<typeof userLocationSchema>;

const contextSizeSchema = z.enum(['low', 'medium', 'high']);
export type SearchContextSize = z.infer<typeof contextSizeSchema>;

const webSearchSchema = z.strictObject({
  type: z.enum(WEB_SEARCH_TYPES),
  filters: z
    .strictObject({ allowed_domains: z.array(z.string().trim().min(1)).max(100).nullable().optional() })
    .nullable()
    .optional(),
  search_context_size: contextSizeSchema.optional(),
  user_location: userLocationSchema.nullable().optional(),
  // Codex CLI sends it; this gateway's searches always reach the live web.
  external_web_access: z.boolean().optional(),
});

const webSearchPreviewSchema = z.strictObject({
  type: z.enum(WEB_SEARCH_PREVIEW_TYPES),
  search_context_size: contextSizeSchema.optional(),
  user_location: userLocationSchema.nullable().optional(),
  search_content_types: z.array(z.enum(['text', 'image'])).optional(),
});

export interface WebSearchSettings {
  contextSize: SearchContextSize;
  location: UserLocation | undefined;
  /** Lower-case host names; results and pages must be one of them or below one. */
  allowedDomains: readonly string[] | undefined;
}

export function parseWebSearchEntry(entry: Record<string, unknown>, param: string): WebSearchSettings {
  const preview = (WEB_SEARCH_PREVIEW_TYPES as readonly unknown[]).includes(entry.type);
  const parsed = preview
    ? parseToolEntry(webSearchPreviewSchema, entry, param)
    : parseToolEntry(webSearchSchema, entry, param);
  const domains = 'filters' in parsed ? parsed.filters?.allowed_domains : undefined;
  return {
    contextSize: parsed.search_context_size ?? 'medium',
    location: parsed.user_location ?? undefined,
    allowedDomains: domains != null && domains.length > 0 ? domains.map(normalizeDomain) : undefined,
  };
}

/** `https://Docs.Example.com/x` and `docs.example.com.` both mean the host `docs.example.com`. */
function normalizeDomain(domain: string): string {
  const bare = domain.replace(/^[a-z]+:\/\//i, '').split('/')[0]!;
  return bare.replace(/\.$/, '').toLowerCase();
}
