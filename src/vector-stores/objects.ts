/** Records as the API shows them (openai `VectorStore`, `VectorStoreFile`, `VectorStoreFileBatch`). */
import { GatewayError } from '../errors.js';
import {
  AUTO_CHUNKING,
  type ChunkingStrategyParam,
  type FileBatchObject,
  type VectorStoreFileObject,
  type VectorStoreObject,
} from '../protocol/vector-stores.js';
import type {
  ChunkingSettings,
  FileBatchSummary,
  VectorStoreFileRecord,
  VectorStoreSummary,
} from '../store/types.js';

const DAY_SECONDS = 86_400;

export function toVectorStoreObject(store: VectorStoreSummary, now: number): VectorStoreObject {
  const anchor = store.last_active_at ?? store.created_at;
  const expiresAt = store.expires_after ? anchor + store.expires_after.days * DAY_SECONDS : null;
  const status =
    expiresAt !== null && expiresAt <= now
      ? 'expired'
      : store.file_counts.in_progress > 0
        ? 'in_progress'
        : 'completed';
  return {
    id: store.id,
    object: 'vector_store',
    created_at: store.created_at,
    name: store.name,
    usage_bytes: store.usage_bytes,
    file_counts: store.file_counts,
    status,
    ...(store.expires_after ? { expires_after: store.expires_after } : {}),
    expires_at: expiresAt,
    last_active_at: store.last_active_at,
    metadata: store.metadata,
  };
}

export function toVectorStoreFileObject(file: VectorStoreFileRecord): VectorStoreFileObject {
  return {
    id: file.file_id,
    object: 'vector_store.file',
    usage_bytes: file.usage_bytes,
    created_at: file.created_at,
    vector_store_id: file.vector_store_id,
    status: file.status,
    last_error: file.last_error,
    chunking_strategy: { type: 'static', static: { ...file.chunking } },
    attributes: file.attributes,
  };
}

export function toFileBatchObject(batch: FileBatchSummary): FileBatchObject {
  const counts = batch.file_counts;
  const status =
    counts.in_progress > 0
      ? 'in_progress'
      : batch.cancelled
        ? 'cancelled'
        : counts.total > 0 && counts.failed === counts.total
          ? 'failed'
          : 'completed';
  return {
    id: batch.id,
    object: 'vector_store.files_batch',
    created_at: batch.created_at,
    vector_store_id: batch.vector_store_id,
    status,
    file_counts: counts,
  };
}

export function chunkingSettings(strategy: ChunkingStrategyParam | undefined): ChunkingSettings {
  if (!strategy || strategy.type === 'auto') return { ...AUTO_CHUNKING };
  return {
    max_chunk_size_tokens: strategy.static.max_chunk_size_tokens,
    chunk_overlap_tokens: strategy.static.chunk_overlap_tokens,
  };
}

export function vectorStoreNotFound(id: string, param: string | null = null): GatewayError {
  return new GatewayError(404, `No vector store found with id '${id}'.`, {
    type: 'invalid_request_error',
    param,
  });
}

export function vectorStoreFileNotFound(storeId: string, fileId: string): GatewayError {
  return new GatewayError(404, `No file found with id '${fileId}' in vector store '${storeId}'.`, {
    type: 'invalid_request_error',
  });
}

export function fileBatchNotFound(storeId: string, batchId: string): GatewayError {
  return new GatewayError(404, `No file batch found with id '${batchId}' in vector store '${storeId}'.`, {
    type: 'invalid_request_error',
  });
}
