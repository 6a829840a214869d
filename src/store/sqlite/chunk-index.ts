/**
 * Chunks and their full-text index. Each vector store has its own FTS5 table
 * (`chunks_fts_<hex of the store id>`): BM25 then scores only that store's chunks, with that
 * store's own term statistics, and needs no join or filter to stay within it (a search over one
 * shared table spent more time on other stores' rows than on ranking). Every write of chunks goes
 * through here, so that the text index follows the `chunks` table, and bumps the store's
 * `index_version` (what cached vectors are checked against, see vector-cache.ts).
 */
import type { Statement } from 'better-sqlite3';
import type { ChunkInput } from '../types.js';
import type { SqliteDatabase } from './open-database.js';

const STORE_ID = /^vs_([0-9a-f]{48})$/;

/** The FTS5 table of a store; undefined for an id no store can have (never interpolated then). */
export function ftsTable(storeId: string): string | undefined {
  const hex = STORE_ID.exec(storeId)?.[1];
  return hex === undefined ? undefined : `chunks_fts_${hex}`;
}

export class ChunkIndex {
  private readonly statements;
  private readonly perTable = new Map<string, { insert: Statement; remove: Statement }>();

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare(
        'INSERT INTO chunks (vector_store_id, file_id, position, text, tokens) VALUES (?, ?, ?, ?, ?)',
      ),
      insertVector: db.prepare(
        'INSERT INTO chunk_vectors (chunk_id, vector_store_id, file_id, model, embedding) VALUES (?, ?, ?, ?, ?)',
      ),
      ofFile: db.prepare('SELECT id FROM chunks WHERE vector_store_id = ? AND file_id = ?'),
      deleteOfFile: db.prepare('DELETE FROM chunks WHERE vector_store_id = ? AND file_id = ?'),
      // Through the attachments (indexed by file): chunks exist only for attached files.
      storesOfFile: db.prepare('SELECT vector_store_id AS id FROM vector_store_files WHERE file_id = ?'),
      deleteOfStore: db.prepare('DELETE FROM chunks WHERE vector_store_id = ?'),
      bump: db.prepare('UPDATE vector_stores SET index_version = index_version + 1 WHERE id = ?'),
    };
  }

  /** Creates the store's text index (inside the transaction that creates the store). */
  createStore(storeId: string): void {
    const table = ftsTable(storeId);
    if (!table) throw new Error(`not a vector store id: ${storeId}`);
    this.db.exec(
      `CREATE VIRTUAL TABLE IF NOT EXISTS ${table} USING fts5 (text, tokenize = 'porter unicode61 remove_diacritics 2')`,
    );
  }

  dropStore(storeId: string): void {
    const table = ftsTable(storeId);
    this.statements.deleteOfStore.run(storeId);
    if (!table) return;
    this.perTable.delete(table);
    this.db.exec(`DROP TABLE IF EXISTS ${table}`);
  }

  /** Writes a file's chunks (and their embeddings) in order. */
  add(
    storeId: string,
    fileId: string,
    chunks: readonly ChunkInput[],
    embeddingModel: string | undefined,
  ): void {
    const text = this.tableStatements(storeId);
    chunks.forEach((chunk, position) => {
      const { lastInsertRowid } = this.statements.insert.run(
        storeId,
        fileId,
        position,
        chunk.text,
        chunk.tokens,
      );
      text?.insert.run(lastInsertRowid, chunk.text);
      if (chunk.embedding && embeddingModel !== undefined) {
        const bytes = Buffer.from(
          chunk.embedding.buffer,
          chunk.embedding.byteOffset,
          chunk.embedding.byteLength,
        );
        this.statements.insertVector.run(lastInsertRowid, storeId, fileId, embeddingModel, bytes);
      }
    });
  }

  /** Drops a file's chunks from one store. */
  removeFile(storeId: string, fileId: string): void {
    const text = this.tableStatements(storeId);
    this.statements.bump.run(storeId);
    if (text) {
      for (const { id } of this.statements.ofFile.all(storeId, fileId) as Array<{ id: number }>) {
        text.remove.run(id);
      }
    }
    this.statements.deleteOfFile.run(storeId, fileId);
  }

  /** Drops a file's chunks from every store it is attached to (before the attachments go). */
  removeFileEverywhere(fileId: string): void {
    for (const { id } of this.statements.storesOfFile.all(fileId) as Array<{ id: string }>) {
      this.removeFile(id, fileId);
    }
  }

  private tableStatements(storeId: string): { insert: Statement; remove: Statement } | undefined {
    const table = ftsTable(storeId);
    if (!table) return undefined;
    let statements = this.perTable.get(table);
    if (!statements) {
      statements = {
        insert: this.db.prepare(`INSERT INTO ${table} (rowid, text) VALUES (?, ?)`),
        remove: this.db.prepare(`DELETE FROM ${table} WHERE rowid = ?`),
      };
      this.perTable.set(table, statements);
    }
    return statements;
  }
}
