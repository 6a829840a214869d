/** Code containers and their files' metadata in PostgreSQL (the bytes live on disk, see tools/containers). */
import type pg from 'pg';
import type {
  ContainerFileRecord,
  ContainerListQuery,
  ContainerRecord,
  ContainerRepository,
  Page,
  PageQuery,
} from '../types.js';
import { changes, first, inTransaction, rows } from './pg-database.js';

const CONTAINER_COLUMNS = 'id, name, created_at, last_active_at, status, memory_limit, expires_after_minutes';
const FILE_COLUMNS = 'id, container_id, path, bytes, created_at, source';

export class PgContainers implements ContainerRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(tenantId: string, r: ContainerRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO containers (tenant_id, ${CONTAINER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        tenantId,
        r.id,
        r.name,
        r.created_at,
        r.last_active_at,
        r.status,
        r.memory_limit,
        r.expires_after_minutes,
      ],
    );
  }

  get(tenantId: string, id: string): Promise<ContainerRecord | undefined> {
    return first<ContainerRecord>(
      this.pool,
      `SELECT ${CONTAINER_COLUMNS} FROM containers WHERE id = $1 AND tenant_id = $2`,
      [id, tenantId],
    );
  }

  list(tenantId: string, query: ContainerListQuery): Promise<Page<ContainerRecord>> {
    const conditions = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    if (query.name !== undefined) {
      params.push(query.name);
      conditions.push(`name = $${params.length}`);
    }
    return this.page('containers', CONTAINER_COLUMNS, conditions, params, query);
  }

  async touch(tenantId: string, id: string, at: number): Promise<void> {
    await this.pool.query(
      "UPDATE containers SET last_active_at = GREATEST(last_active_at, $1) WHERE id = $2 AND tenant_id = $3 AND status = 'running'",
      [at, id, tenantId],
    );
  }

  async expire(tenantId: string, id: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query("UPDATE containers SET status = 'expired' WHERE id = $1 AND tenant_id = $2", [
        id,
        tenantId,
      ]);
      await client.query('DELETE FROM container_files WHERE container_id = $1 AND tenant_id = $2', [
        id,
        tenantId,
      ]);
    });
  }

  delete(tenantId: string, id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const deleted =
        (await changes(client, 'DELETE FROM containers WHERE id = $1 AND tenant_id = $2', [id, tenantId])) >
        0;
      if (deleted)
        await client.query('DELETE FROM container_files WHERE container_id = $1 AND tenant_id = $2', [
          id,
          tenantId,
        ]);
      return deleted;
    });
  }

  async countRunning(tenantId: string): Promise<number> {
    return (
      (
        await first<{ n: number }>(
          this.pool,
          "SELECT COUNT(*) AS n FROM containers WHERE tenant_id = $1 AND status = 'running'",
          [tenantId],
        )
      )?.n ?? 0
    );
  }

  async idleExpired(now: number): Promise<Array<{ tenantId: string; id: string }>> {
    const found = await rows<{ tenant_id: string; id: string }>(
      this.pool,
      `SELECT tenant_id, id FROM containers WHERE status = 'running' AND last_active_at + expires_after_minutes * 60 <= $1`,
      [now],
    );
    return found.map((row) => ({ tenantId: row.tenant_id, id: row.id }));
  }

  putFile(tenantId: string, f: ContainerFileRecord): Promise<ContainerFileRecord | undefined> {
    return inTransaction(this.pool, async (client) => {
      const previous = await first<ContainerFileRecord>(
        client,
        `DELETE FROM container_files WHERE container_id = $1 AND tenant_id = $2 AND path = $3 RETURNING ${FILE_COLUMNS}`,
        [f.container_id, tenantId, f.path],
      );
      await client.query(
        `INSERT INTO container_files (tenant_id, ${FILE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [tenantId, f.id, f.container_id, f.path, f.bytes, f.created_at, f.source],
      );
      return previous;
    });
  }

  getFile(tenantId: string, containerId: string, fileId: string): Promise<ContainerFileRecord | undefined> {
    return first<ContainerFileRecord>(
      this.pool,
      `SELECT ${FILE_COLUMNS} FROM container_files WHERE id = $1 AND container_id = $2 AND tenant_id = $3`,
      [fileId, containerId, tenantId],
    );
  }

  fileAtPath(tenantId: string, containerId: string, path: string): Promise<ContainerFileRecord | undefined> {
    return first<ContainerFileRecord>(
      this.pool,
      `SELECT ${FILE_COLUMNS} FROM container_files WHERE container_id = $1 AND tenant_id = $2 AND path = $3`,
      [containerId, tenantId, path],
    );
  }

  listFiles(tenantId: string, containerId: string, query: PageQuery): Promise<Page<ContainerFileRecord>> {
    return this.page(
      'container_files',
      FILE_COLUMNS,
      ['container_id = $1', 'tenant_id = $2'],
      [containerId, tenantId],
      query,
    );
  }

  allFiles(tenantId: string, containerId: string): Promise<ContainerFileRecord[]> {
    return rows<ContainerFileRecord>(
      this.pool,
      `SELECT ${FILE_COLUMNS} FROM container_files WHERE container_id = $1 AND tenant_id = $2 ORDER BY id`,
      [containerId, tenantId],
    );
  }

  async deleteFile(tenantId: string, containerId: string, fileId: string): Promise<boolean> {
    return (
      (await changes(
        this.pool,
        'DELETE FROM container_files WHERE id = $1 AND container_id = $2 AND tenant_id = $3',
        [fileId, containerId, tenantId],
      )) > 0
    );
  }

  /** Ids start with their creation time, so paging by id is paging by creation. */
  private async page<T extends { id: string }>(
    table: string,
    columns: string,
    conditions: string[],
    params: unknown[],
    query: { limit: number; order: 'asc' | 'desc'; after?: string | undefined },
  ): Promise<Page<T>> {
    const ascending = query.order === 'asc';
    const where = [...conditions];
    const values = [...params];
    if (query.after !== undefined) {
      values.push(query.after);
      where.push(`id ${ascending ? '>' : '<'} $${values.length}`);
    }
    values.push(query.limit + 1);
    const found = await rows<T>(
      this.pool,
      `SELECT ${columns} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY id ${ascending ? 'ASC' : 'DESC'} LIMIT $${values.length}`,
      values,
    );
    const data = found.slice(0, query.limit);
    return {
      data,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
      has_more: found.length > query.limit,
    };
  }
}
