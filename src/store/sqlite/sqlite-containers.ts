/** Code containers and their files' metadata in SQLite (the bytes live on disk, see tools/containers). */
import type {
  ContainerFileRecord,
  ContainerListQuery,
  ContainerRecord,
  ContainerRepository,
  Page,
  PageQuery,
} from '../types.js';
import type { SqliteDatabase } from './open-database.js';

const CONTAINER_COLUMNS = 'id, name, created_at, last_active_at, status, memory_limit, expires_after_minutes';
const FILE_COLUMNS = 'id, container_id, path, bytes, created_at, source';

export class SqliteContainers implements ContainerRepository {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO containers (tenant_id, ${CONTAINER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      get: db.prepare(`SELECT ${CONTAINER_COLUMNS} FROM containers WHERE id = ? AND tenant_id = ?`),
      touch: db.prepare(
        "UPDATE containers SET last_active_at = MAX(last_active_at, ?) WHERE id = ? AND tenant_id = ? AND status = 'running'",
      ),
      expire: db.prepare("UPDATE containers SET status = 'expired' WHERE id = ? AND tenant_id = ?"),
      delete: db.prepare('DELETE FROM containers WHERE id = ? AND tenant_id = ?'),
      deleteFiles: db.prepare('DELETE FROM container_files WHERE container_id = ? AND tenant_id = ?'),
      countRunning: db.prepare(
        "SELECT COUNT(*) AS n FROM containers WHERE tenant_id = ? AND status = 'running'",
      ),
      idleExpired: db.prepare(
        `SELECT tenant_id, id FROM containers
         WHERE status = 'running' AND last_active_at + expires_after_minutes * 60 <= ?`,
      ),
      fileAtPath: db.prepare(
        `SELECT ${FILE_COLUMNS} FROM container_files WHERE container_id = ? AND tenant_id = ? AND path = ?`,
      ),
      deleteFileAtPath: db.prepare('DELETE FROM container_files WHERE container_id = ? AND path = ?'),
      insertFile: db.prepare(
        `INSERT INTO container_files (tenant_id, ${FILE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      getFile: db.prepare(
        `SELECT ${FILE_COLUMNS} FROM container_files WHERE id = ? AND container_id = ? AND tenant_id = ?`,
      ),
      allFiles: db.prepare(
        `SELECT ${FILE_COLUMNS} FROM container_files WHERE container_id = ? AND tenant_id = ? ORDER BY id`,
      ),
      deleteFile: db.prepare(
        'DELETE FROM container_files WHERE id = ? AND container_id = ? AND tenant_id = ?',
      ),
    };
  }

  async create(tenantId: string, r: ContainerRecord): Promise<void> {
    this.statements.insert.run(
      tenantId,
      r.id,
      r.name,
      r.created_at,
      r.last_active_at,
      r.status,
      r.memory_limit,
      r.expires_after_minutes,
    );
  }

  async get(tenantId: string, id: string): Promise<ContainerRecord | undefined> {
    return this.statements.get.get(id, tenantId) as ContainerRecord | undefined;
  }

  async list(tenantId: string, query: ContainerListQuery): Promise<Page<ContainerRecord>> {
    const conditions = ['tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (query.name !== undefined) {
      conditions.push('name = ?');
      params.push(query.name);
    }
    return this.page('containers', CONTAINER_COLUMNS, conditions, params, query);
  }

  async touch(tenantId: string, id: string, at: number): Promise<void> {
    this.statements.touch.run(at, id, tenantId);
  }

  async expire(tenantId: string, id: string): Promise<void> {
    this.db.transaction(() => {
      this.statements.expire.run(id, tenantId);
      this.statements.deleteFiles.run(id, tenantId);
    })();
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return this.db.transaction(() => {
      const deleted = this.statements.delete.run(id, tenantId).changes > 0;
      if (deleted) this.statements.deleteFiles.run(id, tenantId);
      return deleted;
    })();
  }

  async countRunning(tenantId: string): Promise<number> {
    return (this.statements.countRunning.get(tenantId) as { n: number }).n;
  }

  async idleExpired(now: number): Promise<Array<{ tenantId: string; id: string }>> {
    return (this.statements.idleExpired.all(now) as Array<{ tenant_id: string; id: string }>).map((row) => ({
      tenantId: row.tenant_id,
      id: row.id,
    }));
  }

  async putFile(tenantId: string, f: ContainerFileRecord): Promise<ContainerFileRecord | undefined> {
    return this.db.transaction(() => {
      const previous = this.statements.fileAtPath.get(f.container_id, tenantId, f.path) as
        | ContainerFileRecord
        | undefined;
      if (previous) this.statements.deleteFileAtPath.run(f.container_id, f.path);
      this.statements.insertFile.run(tenantId, f.id, f.container_id, f.path, f.bytes, f.created_at, f.source);
      return previous;
    })();
  }

  async getFile(
    tenantId: string,
    containerId: string,
    fileId: string,
  ): Promise<ContainerFileRecord | undefined> {
    return this.statements.getFile.get(fileId, containerId, tenantId) as ContainerFileRecord | undefined;
  }

  async fileAtPath(
    tenantId: string,
    containerId: string,
    path: string,
  ): Promise<ContainerFileRecord | undefined> {
    return this.statements.fileAtPath.get(containerId, tenantId, path) as ContainerFileRecord | undefined;
  }

  async listFiles(
    tenantId: string,
    containerId: string,
    query: PageQuery,
  ): Promise<Page<ContainerFileRecord>> {
    return this.page(
      'container_files',
      FILE_COLUMNS,
      ['container_id = ?', 'tenant_id = ?'],
      [containerId, tenantId],
      query,
    );
  }

  async allFiles(tenantId: string, containerId: string): Promise<ContainerFileRecord[]> {
    return this.statements.allFiles.all(containerId, tenantId) as ContainerFileRecord[];
  }

  async deleteFile(tenantId: string, containerId: string, fileId: string): Promise<boolean> {
    return this.statements.deleteFile.run(fileId, containerId, tenantId).changes > 0;
  }

  /** Ids start with their creation time, so paging by id is paging by creation. */
  private page<T extends { id: string }>(
    table: string,
    columns: string,
    conditions: string[],
    params: unknown[],
    query: { limit: number; order: 'asc' | 'desc'; after?: string | undefined },
  ): Page<T> {
    const ascending = query.order === 'asc';
    const where = [...conditions];
    const values = [...params];
    if (query.after !== undefined) {
      where.push(ascending ? 'id > ?' : 'id < ?');
      values.push(query.after);
    }
    const rows = this.db
      .prepare(
        `SELECT ${columns} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY id ${ascending ? 'ASC' : 'DESC'} LIMIT ?`,
      )
      .all(...values, query.limit + 1) as T[];
    const data = rows.slice(0, query.limit);
    return {
      data,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
      has_more: rows.length > query.limit,
    };
  }
}
