/** Responses and their items in SQLite. */
import type { OutputItem, ResponseObject } from '../../protocol/response.js';
import { ConversationGoneError } from '../conversation-gone-error.js';
import type { Page, PageQuery, ResponseRecord, ResponseRepository, StoredItem } from '../types.js';
import type { SqliteDatabase } from './open-database.js';
import { paginate } from './paginate.js';
import type { SqliteConversations } from './sqlite-conversations.js';
import type { WriteBatch } from './write-batch.js';

export { ConversationGoneError };

const INPUT = 0;
const OUTPUT = 1;

export class SqliteResponses implements ResponseRepository {
  private readonly statements;

  /** For callers already inside a transaction (the job queue stores a queued response). */
  readonly saveInTransaction: (
    tenantId: string,
    record: ResponseRecord,
    conversationId: string | undefined,
  ) => void;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly conversations: SqliteConversations,
    private readonly writes: WriteBatch,
  ) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO responses (id, tenant_id, created_at, previous_response_id, conversation_id, status, body)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      ),
      replace: db.prepare('UPDATE responses SET status = ?, body = ? WHERE id = ? AND tenant_id = ?'),
      clearItems: db.prepare('DELETE FROM response_items WHERE response_id = ?'),
      clearEvents: db.prepare('DELETE FROM response_events WHERE response_id = ?'),
      insertItem: db.prepare(
        'INSERT INTO response_items (response_id, tenant_id, kind, position, item_id, body) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      get: db.prepare('SELECT body FROM responses WHERE id = ? AND tenant_id = ? AND deleted = 0'),
      output: db.prepare(
        `SELECT body FROM response_items WHERE response_id = ? AND kind = ${OUTPUT} ORDER BY position`,
      ),
      tombstone: db.prepare(
        `UPDATE responses SET deleted = 1, body = '{}' WHERE id = ? AND tenant_id = ? AND deleted = 0`,
      ),
      chain: db.prepare(
        `WITH RECURSIVE chain (id, previous, depth) AS (
           SELECT id, previous_response_id, 0 FROM responses WHERE id = @id AND tenant_id = @tenant
           UNION ALL
           SELECT r.id, r.previous_response_id, c.depth + 1
             FROM responses r JOIN chain c ON r.id = c.previous
            WHERE r.tenant_id = @tenant
         )
         SELECT i.body FROM chain c JOIN response_items i ON i.response_id = c.id
          ORDER BY c.depth DESC, i.kind, i.position`,
      ),
      findItem: db.prepare('SELECT body FROM response_items WHERE tenant_id = ? AND item_id = ? LIMIT 1'),
      updateState: db.prepare(
        'UPDATE responses SET status = ?, body = ? WHERE id = ? AND tenant_id = ? AND deleted = 0',
      ),
      clearOutput: db.prepare(`DELETE FROM response_items WHERE response_id = ? AND kind = ${OUTPUT}`),
      inputs: db.prepare(
        `SELECT body FROM response_items WHERE response_id = ? AND kind = ${INPUT} ORDER BY position`,
      ),
      interrupted: db.prepare(
        `SELECT id, tenant_id FROM responses r
          WHERE status = 'in_progress' AND deleted = 0
            AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.response_id = r.id AND j.state != 'done')`,
      ),
      findConversationItem: db.prepare(
        'SELECT body FROM conversation_items WHERE tenant_id = ? AND item_id = ? LIMIT 1',
      ),
    };
    this.saveInTransaction = (
      tenantId: string,
      record: ResponseRecord,
      conversationId: string | undefined,
    ) => {
      const { response } = record;
      const { output, ...rest } = response;
      const body = JSON.stringify({ ...rest, output: [] });
      const inserted = this.statements.insert.run(
        response.id,
        tenantId,
        response.created_at,
        response.previous_response_id,
        response.conversation?.id ?? null,
        response.status,
        body,
      );
      if (inserted.changes === 0) {
        // Saving again over a stored response: replace its state and items. When the id exists
        // under another tenant, never touch that tenant's items.
        if (this.statements.replace.run(response.status, body, response.id, tenantId).changes === 0) {
          throw new Error(`Response id '${response.id}' is already taken.`);
        }
        this.statements.clearItems.run(response.id);
      }
      const { insertItem } = this.statements;
      const items = record.inputItems;
      for (let position = 0; position < items.length; position++) {
        const item = items[position]!;
        insertItem.run(response.id, tenantId, INPUT, position, item.id, JSON.stringify(item));
      }
      for (let position = 0; position < output.length; position++) {
        const item = output[position]!;
        insertItem.run(response.id, tenantId, OUTPUT, position, item.id, JSON.stringify(item));
      }
      if (conversationId !== undefined) {
        const appended = this.conversations.appendInTransaction(tenantId, conversationId, [
          ...record.inputItems,
          ...output,
        ]);
        if (!appended) throw new ConversationGoneError(conversationId);
      }
    };
  }

  /**
   * Resolves once the response is committed: in the next group commit (write-batch.ts), with the
   * other saves and event batches of this turn of the event loop, in a savepoint of its own.
   */
  save(tenantId: string, record: ResponseRecord, appendToConversation?: string): Promise<void> {
    return this.writes.run(() => this.saveInTransaction(tenantId, record, appendToConversation));
  }

  /** In the next group commit, as `save`. */
  update(tenantId: string, response: ResponseObject, appendToConversation?: string): Promise<void> {
    return this.writes.run(() => {
      const { output, ...rest } = response;
      const changed = this.statements.updateState.run(
        response.status,
        JSON.stringify({ ...rest, output: [] }),
        response.id,
        tenantId,
      ).changes;
      if (changed === 0) return;
      this.statements.clearOutput.run(response.id);
      output.forEach((item, position) => {
        this.statements.insertItem.run(
          response.id,
          tenantId,
          OUTPUT,
          position,
          item.id,
          JSON.stringify(item),
        );
      });
      if (appendToConversation !== undefined) {
        const inputs = (this.statements.inputs.all(response.id) as Array<{ body: string }>).map(
          (row) => JSON.parse(row.body) as StoredItem,
        );
        if (!this.conversations.appendInTransaction(tenantId, appendToConversation, [...inputs, ...output])) {
          throw new ConversationGoneError(appendToConversation);
        }
      }
    });
  }

  async get(tenantId: string, id: string): Promise<ResponseObject | undefined> {
    const row = this.statements.get.get(id, tenantId) as { body: string } | undefined;
    if (!row) return undefined;
    const response = JSON.parse(row.body) as ResponseObject;
    response.output = (this.statements.output.all(id) as Array<{ body: string }>).map(
      (item) => JSON.parse(item.body) as OutputItem,
    );
    return response;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return this.db.transaction(() => {
      // A tombstone keeps the chain link so that later turns still reach the turns before it.
      const changed = this.statements.tombstone.run(id, tenantId).changes > 0;
      if (changed) {
        this.statements.clearItems.run(id);
        this.statements.clearEvents.run(id);
      }
      return changed;
    })();
  }

  async listInputItems(tenantId: string, id: string, page: PageQuery): Promise<Page<StoredItem> | undefined> {
    if (!this.statements.get.get(id, tenantId)) return undefined;
    return paginate(
      this.db,
      {
        table: 'response_items',
        where: `response_id = ? AND kind = ${INPUT}`,
        scope: [id],
        idColumn: 'item_id',
      },
      page,
    );
  }

  async loadChain(tenantId: string, id: string): Promise<StoredItem[] | undefined> {
    if (!this.statements.get.get(id, tenantId)) return undefined;
    const rows = this.statements.chain.all({ id, tenant: tenantId }) as Array<{ body: string }>;
    return rows.map((row) => JSON.parse(row.body) as StoredItem);
  }

  async listInterrupted(): Promise<Array<{ tenantId: string; id: string }>> {
    const rows = this.statements.interrupted.all() as Array<{ id: string; tenant_id: string }>;
    return rows.map((row) => ({ tenantId: row.tenant_id, id: row.id }));
  }

  async findItem(tenantId: string, itemId: string): Promise<StoredItem | undefined> {
    const row = (this.statements.findItem.get(tenantId, itemId) ??
      this.statements.findConversationItem.get(tenantId, itemId)) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as StoredItem) : undefined;
  }
}
