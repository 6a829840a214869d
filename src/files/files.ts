/**
 * The Files API over the store and the file store: objects in OpenAI's shapes, owned by a tenant
 * (another tenant's file reads as one that does not exist). Also the `FileContentSource` through
 * which requests' `file_id`s resolve to bytes.
 */
import type { Readable } from 'node:stream';
import type { FileContentSource as EngineFileSource } from '../engine/media/file-content-source.js';
import { GatewayError } from '../errors.js';
import { newId } from '../ids.js';
import { nowSeconds } from '../now-seconds.js';
import type { FileDeleted, FileObject, UploadPurpose } from '../protocol/files.js';
import type { FileListQuery, FileRecord, FileRepository, Page } from '../store/types.js';
import type { FileBlobs, PendingBlob } from './file-blobs.js';
import { mediaTypeFor } from './media-type.js';

/** A file's bytes, for whatever needs its content (the media resolver, ingestion). */
export interface FileContent {
  filename: string;
  mediaType: string;
  bytes: Buffer;
}

/** The engine's `FileContentSource`, answered with Buffers. */
export interface FileContentSource extends EngineFileSource {
  get(tenantId: string, fileId: string): Promise<FileContent | undefined>;
}

export interface NewUpload {
  pending: PendingBlob;
  filename: string;
  /** As the multipart part declared it. */
  mediaType: string | undefined;
  purpose: UploadPurpose;
  /** Seconds after creation. */
  expiresAfterSeconds: number | undefined;
}

export class Files implements FileContentSource {
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: FileRepository,
    readonly blobs: FileBlobs,
    /** Largest upload, bytes. */
    readonly maxBytes: number,
  ) {}

  /** Streams an upload's bytes to disk (see FileBlobs.receive). */
  receive(source: Readable): Promise<PendingBlob> {
    return this.blobs.receive(source, this.maxBytes);
  }

  async create(tenantId: string, upload: NewUpload): Promise<FileObject> {
    const createdAt = nowSeconds();
    const record: FileRecord = {
      id: newId('file-'),
      filename: upload.filename,
      purpose: upload.purpose,
      bytes: upload.pending.bytes,
      created_at: createdAt,
      expires_at: upload.expiresAfterSeconds === undefined ? null : createdAt + upload.expiresAfterSeconds,
      sha256: upload.pending.sha256,
      media_type: mediaTypeFor(upload.filename, upload.mediaType),
    };
    await this.blobs.exclusive(record.sha256, async () => {
      this.blobs.commit(upload.pending);
      await this.repository.create(tenantId, record);
    });
    return toFileObject(record);
  }

  async list(tenantId: string, query: FileListQuery): Promise<Page<FileObject> & { object: 'list' }> {
    const page = await this.repository.list(tenantId, query, nowSeconds());
    return { object: 'list', ...page, data: page.data.map(toFileObject) };
  }

  async retrieve(tenantId: string, id: string): Promise<FileObject> {
    return toFileObject(await this.record(tenantId, id));
  }

  /** The stored record, or the 404 the API answers for a file the tenant does not have. */
  async record(tenantId: string, id: string): Promise<FileRecord> {
    const record = await this.repository.get(tenantId, id, nowSeconds());
    if (!record) throw fileNotFound(id);
    return record;
  }

  async content(tenantId: string, id: string): Promise<{ record: FileRecord; body: Readable }> {
    const record = await this.record(tenantId, id);
    return { record, body: this.blobs.stream(record.sha256) };
  }

  async get(tenantId: string, fileId: string): Promise<FileContent | undefined> {
    const record = await this.repository.get(tenantId, fileId, nowSeconds());
    if (!record) return undefined;
    return {
      filename: record.filename,
      mediaType: record.media_type,
      bytes: await this.blobs.read(record.sha256),
    };
  }

  /** Deletes the file and removes it from every vector store. */
  async delete(tenantId: string, id: string): Promise<FileDeleted> {
    const removed = await this.repository.delete(tenantId, id);
    if (!removed) throw fileNotFound(id);
    await this.dropUnusedBlob(removed.sha256);
    return { id, object: 'file', deleted: true };
  }

  /** Deletes expired files every `intervalMs` (and once now); the timer never keeps the process up. */
  startSweeping(intervalMs = 60_000): void {
    const sweep = () => void this.sweepExpired().catch(() => undefined);
    sweep();
    this.sweeper = setInterval(sweep, intervalMs);
    this.sweeper.unref();
  }

  stopSweeping(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  async sweepExpired(): Promise<number> {
    let removed = 0;
    for (const { tenantId, id } of await this.repository.expired(nowSeconds(), 100)) {
      const record = await this.repository.delete(tenantId, id);
      if (!record) continue;
      await this.dropUnusedBlob(record.sha256);
      removed++;
    }
    return removed;
  }

  private dropUnusedBlob(sha256: string): Promise<void> {
    return this.blobs.exclusive(sha256, async () => {
      if ((await this.repository.countByContent(sha256)) === 0) this.blobs.remove(sha256);
    });
  }
}

export function toFileObject(record: FileRecord): FileObject {
  return {
    id: record.id,
    object: 'file',
    bytes: record.bytes,
    created_at: record.created_at,
    filename: record.filename,
    purpose: record.purpose,
    status: 'processed',
    ...(record.expires_at !== null ? { expires_at: record.expires_at } : {}),
    status_details: null,
  };
}

export function fileNotFound(id: string): GatewayError {
  return new GatewayError(404, `No such File object: ${id}`, { type: 'invalid_request_error', param: 'id' });
}
