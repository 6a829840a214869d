/**
 * Files in vector stores and file batches: attaching queues a file for indexing (the answer is
 * `in_progress` at once), detaching drops its chunks from that store only.
 */
import { newId } from '../ids.js';
import { nowSeconds } from '../now-seconds.js';
import type { Attributes } from '../protocol/attribute-filter.js';
import type {
  CreateFileBatchBody,
  CreateVectorStoreFileBody,
  FileBatchObject,
  VectorStoreFileObject,
} from '../protocol/vector-stores.js';
import type { Page, VectorStoreFileQuery, VectorStoreFileRecord } from '../store/types.js';
import {
  chunkingSettings,
  fileBatchNotFound,
  toFileBatchObject,
  toVectorStoreFileObject,
  vectorStoreFileNotFound,
  vectorStoreNotFound,
} from './objects.js';
import { requireFiles, type VectorStoreDeps } from './vector-stores.js';

type ListPage<T> = Page<T> & { object: 'list' };

export class VectorStoreFiles {
  constructor(private readonly deps: Omit<VectorStoreDeps, 'search'>) {}

  async attach(
    tenantId: string,
    storeId: string,
    body: CreateVectorStoreFileBody,
  ): Promise<VectorStoreFileObject> {
    await this.requireStore(tenantId, storeId);
    await requireFiles(this.deps.files, tenantId, [body.file_id], () => 'file_id');
    const record = attachment(
      storeId,
      body.file_id,
      body.attributes ?? null,
      chunkingSettings(body.chunking_strategy),
      null,
    );
    if (!(await this.deps.repository.attach(tenantId, storeId, [record]))) throw vectorStoreNotFound(storeId);
    this.deps.wake();
    return toVectorStoreFileObject(record);
  }

  async list(
    tenantId: string,
    storeId: string,
    query: VectorStoreFileQuery,
  ): Promise<ListPage<VectorStoreFileObject>> {
    const page = await this.deps.repository.listFiles(tenantId, storeId, query);
    if (!page) {
      throw query.batchId !== undefined
        ? fileBatchNotFound(storeId, query.batchId)
        : vectorStoreNotFound(storeId);
    }
    return { object: 'list', ...page, data: page.data.map(toVectorStoreFileObject) };
  }

  async retrieve(tenantId: string, storeId: string, fileId: string): Promise<VectorStoreFileObject> {
    return toVectorStoreFileObject(await this.record(tenantId, storeId, fileId));
  }

  async update(
    tenantId: string,
    storeId: string,
    fileId: string,
    attributes: Attributes | null,
  ): Promise<VectorStoreFileObject> {
    await this.requireStore(tenantId, storeId);
    const updated = await this.deps.repository.updateAttributes(tenantId, storeId, fileId, attributes);
    if (!updated) throw vectorStoreFileNotFound(storeId, fileId);
    return toVectorStoreFileObject(updated);
  }

  async detach(
    tenantId: string,
    storeId: string,
    fileId: string,
  ): Promise<{ id: string; object: 'vector_store.file.deleted'; deleted: true }> {
    await this.requireStore(tenantId, storeId);
    if (!(await this.deps.repository.detach(tenantId, storeId, fileId))) {
      throw vectorStoreFileNotFound(storeId, fileId);
    }
    return { id: fileId, object: 'vector_store.file.deleted', deleted: true };
  }

  /** The file's parsed text as its chunks hold it (overlaps included). */
  async content(
    tenantId: string,
    storeId: string,
    fileId: string,
  ): Promise<{
    object: 'vector_store.file_content.page';
    data: Array<{ type: 'text'; text: string }>;
    has_more: false;
    next_page: null;
  }> {
    await this.requireStore(tenantId, storeId);
    const chunks = await this.deps.repository.fileChunks(tenantId, storeId, fileId);
    if (!chunks) throw vectorStoreFileNotFound(storeId, fileId);
    return {
      object: 'vector_store.file_content.page',
      data: chunks.map((text) => ({ type: 'text', text })),
      has_more: false,
      next_page: null,
    };
  }

  async createBatch(tenantId: string, storeId: string, body: CreateFileBatchBody): Promise<FileBatchObject> {
    await this.requireStore(tenantId, storeId);
    const batchId = newId('vsfb');
    const entries =
      body.files ??
      (body.file_ids ?? []).map((file_id) => ({
        file_id,
        attributes: body.attributes,
        chunking_strategy: body.chunking_strategy,
      }));
    const param = body.files ? (i: number) => `files[${i}].file_id` : (i: number) => `file_ids[${i}]`;
    await requireFiles(
      this.deps.files,
      tenantId,
      entries.map((entry) => entry.file_id),
      param,
    );
    // A file listed twice is attached once, with its last settings.
    const byFile = new Map<string, VectorStoreFileRecord>();
    for (const entry of entries) {
      byFile.set(
        entry.file_id,
        attachment(
          storeId,
          entry.file_id,
          entry.attributes ?? null,
          chunkingSettings(entry.chunking_strategy),
          batchId,
        ),
      );
    }
    const batch = { id: batchId, vector_store_id: storeId, created_at: nowSeconds(), cancelled: false };
    if (!(await this.deps.repository.attach(tenantId, storeId, [...byFile.values()], batch))) {
      throw vectorStoreNotFound(storeId);
    }
    this.deps.wake();
    return this.retrieveBatch(tenantId, storeId, batchId);
  }

  async retrieveBatch(tenantId: string, storeId: string, batchId: string): Promise<FileBatchObject> {
    await this.requireStore(tenantId, storeId);
    const batch = await this.deps.repository.getBatch(tenantId, storeId, batchId);
    if (!batch) throw fileBatchNotFound(storeId, batchId);
    return toFileBatchObject(batch);
  }

  async cancelBatch(tenantId: string, storeId: string, batchId: string): Promise<FileBatchObject> {
    await this.requireStore(tenantId, storeId);
    const batch = await this.deps.repository.cancelBatch(tenantId, storeId, batchId);
    if (!batch) throw fileBatchNotFound(storeId, batchId);
    return toFileBatchObject(batch);
  }

  private async record(tenantId: string, storeId: string, fileId: string): Promise<VectorStoreFileRecord> {
    await this.requireStore(tenantId, storeId);
    const record = await this.deps.repository.getFile(tenantId, storeId, fileId);
    if (!record) throw vectorStoreFileNotFound(storeId, fileId);
    return record;
  }

  private async requireStore(tenantId: string, storeId: string): Promise<void> {
    if (!(await this.deps.repository.get(tenantId, storeId))) throw vectorStoreNotFound(storeId);
  }
}

function attachment(
  storeId: string,
  fileId: string,
  attributes: Attributes | null,
  chunking: VectorStoreFileRecord['chunking'],
  batchId: string | null,
): VectorStoreFileRecord {
  return {
    vector_store_id: storeId,
    file_id: fileId,
    created_at: nowSeconds(),
    status: 'in_progress',
    attributes,
    chunking,
    usage_bytes: 0,
    last_error: null,
    batch_id: batchId,
  };
}
