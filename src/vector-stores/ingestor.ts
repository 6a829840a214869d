/**
 * Background indexing of vector store files. The queue is the store itself: every attachment
 * `in_progress` waits to be parsed, chunked, embedded and written, so nothing is lost when the
 * process stops; at start, claims a previous process left are released and indexed again (an
 * attachment's chunks are replaced as a whole, so indexing twice is harmless). Requests that attach
 * files only wake the workers; they never wait for them.
 */
import type { Logger } from 'pino';
import type { FileContentSource } from '../files/files.js';
import type { ChunkInput, IngestionOutcome, IngestionTask, VectorStoreRepository } from '../store/types.js';
import { chunkText } from './chunk-text.js';
import type { Embedder } from './embedder.js';
import { DocumentError } from './parsing/document-error.js';
import { parseDocument } from './parsing/parse-document.js';
import { loadTokenCounter } from './token-counter.js';

export interface IngestorOptions {
  repository: VectorStoreRepository;
  files: FileContentSource;
  embedder: Embedder | undefined;
  logger: Logger;
  /** Files indexed at once. */
  concurrency: number;
  /** How often idle workers look for work queued by another process, ms. */
  pollMs?: number;
}

export class Ingestor {
  private stopped = true;
  private workers: Promise<void>[] = [];
  private readonly idle = new Set<() => void>();
  private controller = new AbortController();
  private busy = 0;
  private readonly drained: Array<() => void> = [];

  constructor(private readonly options: IngestorOptions) {}

  async start(): Promise<void> {
    const released = await this.options.repository.releaseClaims();
    if (released > 0) this.options.logger.info({ files: released }, 'resuming vector store indexing');
    this.controller = new AbortController();
    this.stopped = false;
    this.workers = Array.from({ length: this.options.concurrency }, () => this.work());
  }

  /** Work was queued: idle workers look now instead of at their next poll. */
  wake(): void {
    for (const wake of [...this.idle]) wake();
  }

  /** Stops taking work and abandons what is running (its claims are released at the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.controller.abort(new Error('the gateway is shutting down'));
    this.wake();
    await Promise.all(this.workers);
  }

  /** Resolves once no attachment is waiting or being indexed (tests, benchmarks). */
  whenIdle(): Promise<void> {
    if (this.busy === 0 && this.idle.size === this.workers.length) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      const task = await this.options.repository.claimIngestion().catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'vector store indexing: cannot read the queue');
        return undefined;
      });
      if (!task) {
        await this.sleep();
        continue;
      }
      this.busy++;
      try {
        const outcome = await this.index(task);
        if (this.stopped && this.controller.signal.aborted) return;
        await this.options.repository.finishIngestion(task, outcome);
      } catch (error) {
        if (this.controller.signal.aborted) return;
        this.options.logger.error({ err: error, fileId: task.fileId }, 'vector store indexing failed');
      } finally {
        this.busy--;
      }
    }
  }

  /** Parse, chunk, embed: the outcome to record, a failure included. */
  private async index(task: IngestionTask): Promise<IngestionOutcome> {
    const content = await this.options.files.get(task.tenantId, task.fileId);
    if (!content) return failed('invalid_file', `File ${task.fileId} no longer exists.`);
    let chunks: ChunkInput[];
    try {
      const text = await parseDocument(content);
      chunks = await chunkText(text, task.chunking, await loadTokenCounter());
    } catch (error) {
      if (error instanceof DocumentError) return failed(error.code, error.message);
      return failed('server_error', `The file could not be processed: ${(error as Error).message}`);
    }
    const embedder = this.options.embedder;
    if (embedder) {
      try {
        for (let start = 0; start < chunks.length; start += embedder.batchSize) {
          const batch = chunks.slice(start, start + embedder.batchSize);
          const vectors = await embedder.embed(
            batch.map((chunk) => chunk.text),
            this.controller.signal,
          );
          batch.forEach((chunk, i) => {
            chunk.embedding = vectors[i];
          });
        }
      } catch (error) {
        if (this.controller.signal.aborted) throw error;
        return failed('server_error', `Embedding the file failed: ${(error as Error).message}`);
      }
    }
    let usageBytes = 0;
    for (const chunk of chunks) {
      usageBytes += Buffer.byteLength(chunk.text) + (chunk.embedding?.byteLength ?? 0);
    }
    return { ok: true, chunks, usageBytes, embeddingModel: embedder?.model };
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idle.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.options.pollMs ?? 1000);
      timer.unref();
      this.idle.add(done);
      // Every worker found the queue empty: nothing is waiting or being indexed.
      if (this.idle.size === this.workers.length && this.busy === 0) {
        for (const drained of this.drained.splice(0)) drained();
      }
    });
  }
}

function failed(
  code: 'server_error' | 'unsupported_file' | 'invalid_file',
  message: string,
): IngestionOutcome {
  return { ok: false, error: { code, message } };
}
