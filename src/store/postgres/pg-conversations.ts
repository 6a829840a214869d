/** Conversations and their items in PostgreSQL. */
import type pg from 'pg';
import type { ConversationRecord, ConversationRepository, Page, PageQuery, StoredItem } from '../types.js';
import { changes, type Db, first, inTransaction, rows } from './pg-database.js';
import { paginate } from './pg-paginate.js';

export class PgConversations implements ConversationRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(tenantId: string, conversation: ConversationRecord, items: StoredItem[]): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        'INSERT INTO conversations (id, tenant_id, created_at, metadata) VALUES ($1, $2, $3, $4)',
        [conversation.id, tenantId, conversation.created_at, JSON.stringify(conversation.metadata)],
      );
      await this.appendInTransaction(client, tenantId, conversation.id, items);
    });
  }

  get(tenantId: string, id: string): Promise<ConversationRecord | undefined> {
    return read(this.pool, tenantId, id);
  }

  async updateMetadata(
    tenantId: string,
    id: string,
    metadata: Record<string, string>,
  ): Promise<ConversationRecord | undefined> {
    const row = await first<{ id: string; created_at: number; metadata: string }>(
      this.pool,
      'UPDATE conversations SET metadata = $1 WHERE id = $2 AND tenant_id = $3 RETURNING id, created_at, metadata',
      [JSON.stringify(metadata), id, tenantId],
    );
    return row ? { id: row.id, created_at: row.created_at, metadata: JSON.parse(row.metadata) } : undefined;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const deleted =
        (await changes(client, 'DELETE FROM conversations WHERE id = $1 AND tenant_id = $2', [
          id,
          tenantId,
        ])) > 0;
      if (deleted) await client.query('DELETE FROM conversation_items WHERE conversation_id = $1', [id]);
      return deleted;
    });
  }

  appendItems(tenantId: string, id: string, items: StoredItem[]): Promise<boolean> {
    return inTransaction(this.pool, (client) => this.appendInTransaction(client, tenantId, id, items));
  }

  /**
   * For callers already inside a transaction. The conversation row is locked first, so that two
   * instances appending at once number their items one after the other.
   */
  async appendInTransaction(
    client: pg.PoolClient,
    tenantId: string,
    id: string,
    items: ReadonlyArray<{ id: string }>,
  ): Promise<boolean> {
    const locked = await first(
      client,
      'SELECT 1 FROM conversations WHERE id = $1 AND tenant_id = $2 FOR UPDATE',
      [id, tenantId],
    );
    if (!locked) return false;
    if (items.length === 0) return true;
    const next =
      (
        await first<{ next: number }>(
          client,
          'SELECT COALESCE(MAX(position), -1) + 1 AS next FROM conversation_items WHERE conversation_id = $1',
          [id],
        )
      )?.next ?? 0;
    await client.query(
      `INSERT INTO conversation_items (conversation_id, tenant_id, position, item_id, body)
       SELECT $1, $2, $3 + t.ord - 1, t.item_id, t.body FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS t (item_id, body, ord)`,
      [id, tenantId, next, items.map((item) => item.id), items.map((item) => JSON.stringify(item))],
    );
    return true;
  }

  async listItems(tenantId: string, id: string, page: PageQuery): Promise<Page<StoredItem> | undefined> {
    if (!(await read(this.pool, tenantId, id))) return undefined;
    return paginate(
      this.pool,
      { table: 'conversation_items', where: 'conversation_id = $1', scope: [id], idColumn: 'item_id' },
      page,
    );
  }

  async allItems(tenantId: string, id: string): Promise<StoredItem[] | undefined> {
    if (!(await read(this.pool, tenantId, id))) return undefined;
    const found = await rows<{ body: string }>(
      this.pool,
      'SELECT body FROM conversation_items WHERE conversation_id = $1 ORDER BY position',
      [id],
    );
    return found.map((row) => JSON.parse(row.body) as StoredItem);
  }

  async getItem(tenantId: string, id: string, itemId: string): Promise<StoredItem | undefined> {
    const row = await first<{ body: string }>(
      this.pool,
      `SELECT i.body FROM conversation_items i JOIN conversations c ON c.id = i.conversation_id
        WHERE c.id = $1 AND c.tenant_id = $2 AND i.item_id = $3`,
      [id, tenantId, itemId],
    );
    return row ? (JSON.parse(row.body) as StoredItem) : undefined;
  }

  async deleteItem(tenantId: string, id: string, itemId: string): Promise<boolean> {
    const deleted = await changes(
      this.pool,
      `DELETE FROM conversation_items i USING conversations c
        WHERE c.id = i.conversation_id AND c.id = $1 AND c.tenant_id = $2 AND i.item_id = $3`,
      [id, tenantId, itemId],
    );
    return deleted > 0;
  }
}

async function read(db: Db, tenantId: string, id: string): Promise<ConversationRecord | undefined> {
  const row = await first<{ id: string; created_at: number; metadata: string }>(
    db,
    'SELECT id, created_at, metadata FROM conversations WHERE id = $1 AND tenant_id = $2',
    [id, tenantId],
  );
  return row ? { id: row.id, created_at: row.created_at, metadata: JSON.parse(row.metadata) } : undefined;
}
