/**
 * The Vector Stores API's bodies and queries (openai `VectorStoreCreateParams`, `FileCreateParams`,
 * `FileBatchCreateParams`, `VectorStoreSearchParams`, …) and the objects it answers with.
 */
import { z } from 'zod';
import { type Attributes, attributeFilterSchema, attributesSchema } from './attribute-filter.js';
import { addGatewayIssue } from './issues.js';
import { decimal, integer, metadataSchema } from './primitives.js';

/** `auto`: 800-token chunks overlapping by 400. */
export const AUTO_CHUNKING = { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } as const;

export const chunkingStrategySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auto') }),
  z.strictObject({
    type: z.literal('static'),
    static: z
      .strictObject({
        max_chunk_size_tokens: integer({ min: 100, max: 4096 }),
        chunk_overlap_tokens: integer({ min: 0 }),
      })
      .superRefine((value, ctx) => {
        if (value.chunk_overlap_tokens > value.max_chunk_size_tokens / 2) {
          addGatewayIssue(
            ctx,
            {
              code: 'invalid_value',
              message: (p) =>
                `Invalid '${p}': chunk_overlap_tokens must not exceed half of max_chunk_size_tokens ` +
                `(${value.max_chunk_size_tokens / 2}), but got ${value.chunk_overlap_tokens}.`,
            },
            ['chunk_overlap_tokens'],
          );
        }
      }),
  }),
]);
export type ChunkingStrategyParam = z.infer<typeof chunkingStrategySchema>;

const storeExpiresAfterSchema = z.strictObject({
  anchor: z.literal('last_active_at'),
  days: integer({ min: 1, max: 365 }),
});

export const createVectorStoreSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  file_ids: z.array(z.string()).max(500).optional(),
  chunking_strategy: chunkingStrategySchema.optional(),
  expires_after: storeExpiresAfterSchema.optional(),
  metadata: metadataSchema.nullable().optional(),
});

export type CreateVectorStoreBody = z.infer<typeof createVectorStoreSchema>;

export const updateVectorStoreSchema = z.strictObject({
  name: z.string().nullable().optional(),
  expires_after: storeExpiresAfterSchema.nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
});
export type UpdateVectorStoreBody = z.infer<typeof updateVectorStoreSchema>;

export const createVectorStoreFileSchema = z.strictObject({
  file_id: z.string(),
  attributes: attributesSchema.nullable().optional(),
  chunking_strategy: chunkingStrategySchema.optional(),
});

export type CreateVectorStoreFileBody = z.infer<typeof createVectorStoreFileSchema>;

export const updateVectorStoreFileSchema = z.strictObject({
  attributes: attributesSchema.nullable(),
});

export const MAX_BATCH_FILES = 2000;

export const createFileBatchSchema = z
  .strictObject({
    file_ids: z.array(z.string()).min(1).max(MAX_BATCH_FILES).optional(),
    files: z
      .array(
        z.strictObject({
          file_id: z.string(),
          attributes: attributesSchema.nullable().optional(),
          chunking_strategy: chunkingStrategySchema.optional(),
        }),
      )
      .min(1)
      .max(MAX_BATCH_FILES)
      .optional(),
    attributes: attributesSchema.nullable().optional(),
    chunking_strategy: chunkingStrategySchema.optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.file_ids === undefined) === (body.files === undefined)) {
      addGatewayIssue(ctx, {
        code: body.file_ids === undefined ? 'missing_required_parameter' : 'invalid_value',
        message: () =>
          body.file_ids === undefined
            ? "Missing required parameter: 'file_ids' (or 'files')."
            : "'file_ids' and 'files' are mutually exclusive: give one of them.",
      });
    }
  });

export type CreateFileBatchBody = z.infer<typeof createFileBatchSchema>;

export const rankingOptionsSchema = z.strictObject({
  ranker: z.enum(['none', 'auto', 'default-2024-11-15']).optional(),
  score_threshold: decimal({ min: 0, max: 1 }).optional(),
  hybrid_search: z
    .strictObject({
      embedding_weight: decimal({ min: 0 }),
      text_weight: decimal({ min: 0 }),
    })
    .optional(),
});
export type RankingOptions = z.infer<typeof rankingOptionsSchema>;

export const searchVectorStoreSchema = z.strictObject({
  query: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(10)]),
  filters: attributeFilterSchema.optional(),
  max_num_results: integer({ min: 1, max: 50 }).optional(),
  ranking_options: rankingOptionsSchema.optional(),
  rewrite_query: z.boolean().optional(),
});
export type SearchVectorStoreBody = z.infer<typeof searchVectorStoreSchema>;

const limit = z
  .string()
  .regex(/^\d+$/, 'expected an integer')
  .transform(Number)
  .pipe(z.number().int().min(1).max(100));

export const listVectorStoresQuerySchema = z.strictObject({
  limit: limit.optional(),
  order: z.enum(['asc', 'desc']).optional(),
  after: z.string().optional(),
  before: z.string().optional(),
});

export const listVectorStoreFilesQuerySchema = listVectorStoresQuerySchema.extend({
  filter: z.enum(['in_progress', 'completed', 'failed', 'cancelled']).optional(),
});

// --- objects ---------------------------------------------------------------------------------------

export interface FileCountsObject {
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

export interface VectorStoreObject {
  id: string;
  object: 'vector_store';
  created_at: number;
  name: string;
  usage_bytes: number;
  file_counts: FileCountsObject;
  status: 'expired' | 'in_progress' | 'completed';
  expires_after?: { anchor: 'last_active_at'; days: number };
  expires_at: number | null;
  last_active_at: number | null;
  metadata: Record<string, string> | null;
}

export interface VectorStoreFileObject {
  id: string;
  object: 'vector_store.file';
  usage_bytes: number;
  created_at: number;
  vector_store_id: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
  last_error: { code: 'server_error' | 'unsupported_file' | 'invalid_file'; message: string } | null;
  chunking_strategy: {
    type: 'static';
    static: { max_chunk_size_tokens: number; chunk_overlap_tokens: number };
  };
  attributes: Attributes | null;
}

export interface FileBatchObject {
  id: string;
  object: 'vector_store.files_batch';
  created_at: number;
  vector_store_id: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
  file_counts: FileCountsObject;
}

export interface SearchResultObject {
  file_id: string;
  filename: string;
  score: number;
  attributes: Attributes | null;
  content: Array<{ type: 'text'; text: string }>;
}

export interface SearchResultsPage {
  object: 'vector_store.search_results.page';
  search_query: string[];
  data: SearchResultObject[];
  has_more: false;
  next_page: null;
}
