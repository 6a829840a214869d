/**
 * The Vector Stores API over the store: vector stores themselves and their search. Objects are in
 * OpenAI's shapes and owned by a tenant (another tenant's store is the same 404 as a missing one).
 */

import { GatewayError } from '../errors.js';
import { newId } from '../ids.js';
import { nowSeconds } from '../now-seconds.js';
import type {
  CreateVectorStoreBody,
  SearchResultsPage,
  SearchVectorStoreBody,
  UpdateVectorStoreBody,
  VectorStoreObject,
} from '../protocol/vector-stores.js';
import type {
  FileRepository,
  Page,
  PageQuery,
  VectorStoreFileRecord,
  VectorStoreRepository,
} from '../store/types.js';
import { chunkingSettings, toVectorStoreObject, vectorStoreNotFound } from './objects.js';
import type { ChunkSearch } from './search/search-chunks.js';

export interface VectorStoreDeps {
  repository: VectorStoreRepository;
  files: FileRepository;
  search: ChunkSearch;
  /** Tells the indexer new attachments wait. */
  wake: () => void;
}

export class VectorStores {
  constructor(private readonly deps: VectorStoreDeps) {}

  async create(tenantId: string, body: CreateVectorStoreBody): Promise<VectorStoreObject> {
    const now = nowSeconds();
    const id = newId('vs');
    const chunking = chunkingSettings(body.chunking_strategy);
    const fileIds = [...new Set(body.file_ids ?? [])];
    await requireFiles(this.deps.files, tenantId, fileIds, (index) => `file_ids[${index}]`);
    const files: VectorStoreFileRecord[] = fileIds.map((fileId) => ({
      vector_store_id: id,
      file_id: fileId,
      created_at: now,
      status: 'in_progress',
      attributes: null,
      chunking,
      usage_bytes: 0,
      last_error: null,
      batch_id: null,
    }));
    await this.deps.repository.create(
      tenantId,
      {
        id,
        name: body.name ?? '',
        description: body.description ?? null,
        created_at: now,
        last_active_at: now,
        metadata: body.metadata ?? null,
        expires_after: body.expires_after ?? null,
      },
      files,
    );
    if (files.length > 0) this.deps.wake();
    return this.retrieve(tenantId, id);
  }

  async list(tenantId: string, page: PageQuery): Promise<Page<VectorStoreObject> & { object: 'list' }> {
    const now = nowSeconds();
    const result = await this.deps.repository.list(tenantId, page);
    return { object: 'list', ...result, data: result.data.map((store) => toVectorStoreObject(store, now)) };
  }

  async retrieve(tenantId: string, id: string): Promise<VectorStoreObject> {
    const store = await this.deps.repository.get(tenantId, id);
    if (!store) throw vectorStoreNotFound(id);
    return toVectorStoreObject(store, nowSeconds());
  }

  async update(tenantId: string, id: string, body: UpdateVectorStoreBody): Promise<VectorStoreObject> {
    const store = await this.deps.repository.update(tenantId, id, {
      ...(body.name != null ? { name: body.name } : {}),
      ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
      ...(body.expires_after !== undefined ? { expires_after: body.expires_after } : {}),
    });
    if (!store) throw vectorStoreNotFound(id);
    return toVectorStoreObject(store, nowSeconds());
  }

  async delete(
    tenantId: string,
    id: string,
  ): Promise<{ id: string; object: 'vector_store.deleted'; deleted: true }> {
    if (!(await this.deps.repository.delete(tenantId, id))) throw vectorStoreNotFound(id);
    return { id, object: 'vector_store.deleted', deleted: true };
  }

  async search(
    tenantId: string,
    id: string,
    body: SearchVectorStoreBody,
    signal?: AbortSignal,
  ): Promise<SearchResultsPage> {
    await this.retrieve(tenantId, id);
    const outcome = await this.deps.search.search(
      {
        tenantId,
        vectorStoreIds: [id],
        queries: typeof body.query === 'string' ? [body.query] : body.query,
        filter: body.filters,
        maxResults: body.max_num_results ?? 10,
        ranking: body.ranking_options,
        rewrite: body.rewrite_query,
      },
      signal,
    );
    return {
      object: 'vector_store.search_results.page',
      search_query: outcome.queries,
      data: outcome.results.map((result) => ({
        file_id: result.fileId,
        filename: result.filename,
        score: result.score,
        attributes: result.attributes,
        content: [{ type: 'text', text: result.text }],
      })),
      has_more: false,
      next_page: null,
    };
  }
}

/** Every id must be a file of the tenant: a 404 naming the first that is not. */
export async function requireFiles(
  files: FileRepository,
  tenantId: string,
  ids: readonly string[],
  paramOf: (index: number) => string,
): Promise<void> {
  const now = nowSeconds();
  for (const [index, id] of ids.entries()) {
    if (!(await files.get(tenantId, id, now))) {
      throw new GatewayError(404, `No such File object: ${id}`, {
        type: 'invalid_request_error',
        param: paramOf(index),
      });
    }
  }
}
