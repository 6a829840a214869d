/** Conversations and their items in SQLite. */
import type { ConversationRecord, ConversationRepository, Page, PageQuery, StoredItem } from '../types.js';
import type { SqliteDatabase } from './open-database.js';
import { paginate } from './paginate.js';

export class SqliteConversations implements ConversationRepository {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare(
        'INSERT INTO conversations (id, tenant_id, created_at, metadata) VALUES (?, ?, ?, ?)',
      ),
      get: db.prepare('SELECT id, created_at, metadata FROM conversations WHERE id = ? AND tenant_id = ?'),
      update: db.prepare('UPDATE conversations SET metadata = ? WHERE id = ? AND tenant_id = ?'),
      delete: db.prepare('DELETE FROM conversations WHERE id = ? AND tenant_id = ?'),
      deleteItems: db.prepare('DELETE FROM conversation_items WHERE conversation_id = ?'),
      nextPosition: db.prepare(
        'SELECT COALESCE(MAX(position), -1) + 1 AS next FROM conversation_items WHERE conversation_id = ?',
      ),
      insertItem: db.prepare(
        'INSERT INTO conversation_items (conversation_id, tenant_id, position, item_id, body) VALUES (?, ?, ?, ?, ?)',
      ),
      all: db.prepare('SELECT body FROM conversation_items WHERE conversation_id = ? ORDER BY position'),
      getItem: db.prepare('SELECT body FROM conversation_items WHERE conversation_id = ? AND item_id = ?'),
      deleteItem: db.prepare('DELETE FROM conversation_items WHERE conversation_id = ? AND item_id = ?'),
    };
  }

  async create(tenantId: string, conversation: ConversationRecord, items: StoredItem[]): Promise<void> {
    this.db.transaction(() => {
      this.statements.insert.run(
        conversation.id,
        tenantId,
        conversation.created_at,
        JSON.stringify(conversation.metadata),
      );
      this.appendInTransaction(tenantId, conversation.id, items);
    })();
  }

  async get(tenantId: string, id: string): Promise<ConversationRecord | undefined> {
    return this.read(tenantId, id);
  }

  async updateMetadata(
    tenantId: string,
    id: string,
    metadata: Record<string, string>,
  ): Promise<ConversationRecord | undefined> {
    if (this.statements.update.run(JSON.stringify(metadata), id, tenantId).changes === 0) return undefined;
    return this.read(tenantId, id);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return this.db.transaction(() => {
      const deleted = this.statements.delete.run(id, tenantId).changes > 0;
      if (deleted) this.statements.deleteItems.run(id);
      return deleted;
    })();
  }

  async appendItems(tenantId: string, id: string, items: StoredItem[]): Promise<boolean> {
    return this.db.transaction(() => this.appendInTransaction(tenantId, id, items))();
  }

  /** For callers already inside a transaction (a response saved together with its appends). */
  appendInTransaction(tenantId: string, id: string, items: readonly StoredItem[]): boolean {
    if (!this.read(tenantId, id)) return false;
    let position = (this.statements.nextPosition.get(id) as { next: number }).next;
    for (const item of items) {
      this.statements.insertItem.run(id, tenantId, position++, item.id, JSON.stringify(item));
    }
    return true;
  }

  async listItems(tenantId: string, id: string, page: PageQuery): Promise<Page<StoredItem> | undefined> {
    if (!this.read(tenantId, id)) return undefined;
    return paginate(
      this.db,
      { table: 'conversation_items', where: 'conversation_id = ?', scope: [id], idColumn: 'item_id' },
      page,
    );
  }

  async allItems(tenantId: string, id: string): Promise<StoredItem[] | undefined> {
    if (!this.read(tenantId, id)) return undefined;
    return (this.statements.all.all(id) as Array<{ body: string }>).map(
      (row) => JSON.parse(row.body) as StoredItem,
    );
  }

  async getItem(tenantId: string, id: string, itemId: string): Promise<StoredItem | undefined> {
    if (!this.read(tenantId, id)) return undefined;
    const row = this.statements.getItem.get(id, itemId) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as StoredItem) : undefined;
  }

  async deleteItem(tenantId: string, id: string, itemId: string): Promise<boolean> {
    if (!this.read(tenantId, id)) return false;
    return this.statements.deleteItem.run(id, itemId).changes > 0;
  }

  private read(tenantId: string, id: string): ConversationRecord | undefined {
    const row = this.statements.get.get(id, tenantId) as
      | { id: string; created_at: number; metadata: string }
      | undefined;
    return row ? { id: row.id, created_at: row.created_at, metadata: JSON.parse(row.metadata) } : undefined;
  }
}
