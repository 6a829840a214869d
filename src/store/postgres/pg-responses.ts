/** Responses and their items in PostgreSQL. */
import type pg from 'pg';
import type { OutputItem, ResponseObject } from '../../protocol/response.js';
import { ConversationGoneError } from '../conversation-gone-error.js';
import type { Page, PageQuery, ResponseRecord, ResponseRepository, StoredItem } from '../types.js';
import type { PgConversations } from './pg-conversations.js';
import { changes, first, inTransaction, rows } from './pg-database.js';
import type { PgInstances } from './pg-instances.js';
import { paginate } from './pg-paginate.js';

const INPUT = 0;
const OUTPUT = 1;

export class PgResponses implements ResponseRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly conversations: PgConversations,
    private readonly instances: PgInstances,
  ) {}

  save(tenantId: string, record: ResponseRecord, appendToConversation?: string): Promise<void> {
    return inTransaction(this.pool, (client) =>
      this.saveInTransaction(client, tenantId, record, appendToConversation),
    );
  }

  /** For callers already inside a transaction (the job queue stores a queued response). */
  async saveInTransaction(
    client: pg.PoolClient,
    tenantId: string,
    record: ResponseRecord,
    conversationId: string | undefined,
  ): Promise<void> {
    const { response } = record;
    const { output, ...rest } = response;
    const body = JSON.stringify({ ...rest, output: [] });
    const runner = this.runnerOf(response);
    const inserted = await changes(
      client,
      `INSERT INTO responses (id, tenant_id, created_at, previous_response_id, conversation_id, status, body, runner)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [
        response.id,
        tenantId,
        response.created_at,
        response.previous_response_id,
        response.conversation?.id ?? null,
        response.status,
        body,
        runner,
      ],
    );
    if (inserted === 0) {
      // Saving again over a stored response: replace its state and items. When the id exists
      // under another tenant, never touch that tenant's items.
      const replaced = await changes(
        client,
        'UPDATE responses SET status = $1, body = $2, runner = $3 WHERE id = $4 AND tenant_id = $5',
        [response.status, body, runner, response.id, tenantId],
      );
      if (replaced === 0) throw new Error(`Response id '${response.id}' is already taken.`);
      await client.query('DELETE FROM response_items WHERE response_id = $1', [response.id]);
    }
    await insertItems(client, response.id, tenantId, INPUT, record.inputItems);
    await insertItems(client, response.id, tenantId, OUTPUT, output);
    if (conversationId !== undefined) {
      const appended = await this.conversations.appendInTransaction(client, tenantId, conversationId, [
        ...record.inputItems,
        ...output,
      ]);
      if (!appended) throw new ConversationGoneError(conversationId);
    }
  }

  async update(tenantId: string, response: ResponseObject, appendToConversation?: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const { output, ...rest } = response;
      const changed = await changes(
        client,
        'UPDATE responses SET status = $1, body = $2, runner = $3 WHERE id = $4 AND tenant_id = $5 AND NOT deleted',
        [
          response.status,
          JSON.stringify({ ...rest, output: [] }),
          this.runnerOf(response),
          response.id,
          tenantId,
        ],
      );
      if (changed === 0) return;
      await client.query(`DELETE FROM response_items WHERE response_id = $1 AND kind = ${OUTPUT}`, [
        response.id,
      ]);
      await insertItems(client, response.id, tenantId, OUTPUT, output);
      if (appendToConversation !== undefined) {
        const inputs = await rows<{ body: string }>(
          client,
          `SELECT body FROM response_items WHERE response_id = $1 AND kind = ${INPUT} ORDER BY position`,
          [response.id],
        );
        const appended = await this.conversations.appendInTransaction(
          client,
          tenantId,
          appendToConversation,
          [...inputs.map((row) => JSON.parse(row.body) as StoredItem), ...output],
        );
        if (!appended) throw new ConversationGoneError(appendToConversation);
      }
    });
  }

  async get(tenantId: string, id: string): Promise<ResponseObject | undefined> {
    // One round trip: the response with its output items aggregated in order.
    const row = await first<{ body: string; output: string[] | null }>(
      this.pool,
      `SELECT r.body, (SELECT array_agg(i.body ORDER BY i.position) FROM response_items i
                        WHERE i.response_id = r.id AND i.kind = ${OUTPUT}) AS output
         FROM responses r WHERE r.id = $1 AND r.tenant_id = $2 AND NOT r.deleted`,
      [id, tenantId],
    );
    if (!row) return undefined;
    const response = JSON.parse(row.body) as ResponseObject;
    response.output = (row.output ?? []).map((item) => JSON.parse(item) as OutputItem);
    return response;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      // A tombstone keeps the chain link so that later turns still reach the turns before it.
      const changed = await changes(
        client,
        "UPDATE responses SET deleted = true, body = '{}' WHERE id = $1 AND tenant_id = $2 AND NOT deleted",
        [id, tenantId],
      );
      if (changed > 0) {
        await client.query('DELETE FROM response_items WHERE response_id = $1', [id]);
        await client.query('DELETE FROM response_events WHERE response_id = $1', [id]);
      }
      return changed > 0;
    });
  }

  async listInputItems(tenantId: string, id: string, page: PageQuery): Promise<Page<StoredItem> | undefined> {
    if (!(await this.exists(tenantId, id))) return undefined;
    return paginate(
      this.pool,
      {
        table: 'response_items',
        where: `response_id = $1 AND kind = ${INPUT}`,
        scope: [id],
        idColumn: 'item_id',
      },
      page,
    );
  }

  async loadChain(tenantId: string, id: string): Promise<StoredItem[] | undefined> {
    if (!(await this.exists(tenantId, id))) return undefined;
    const found = await rows<{ body: string }>(
      this.pool,
      `WITH RECURSIVE chain (id, previous, depth) AS (
         SELECT id, previous_response_id, 0 FROM responses WHERE id = $1 AND tenant_id = $2
         UNION ALL
         SELECT r.id, r.previous_response_id, c.depth + 1
           FROM responses r JOIN chain c ON r.id = c.previous
          WHERE r.tenant_id = $2
       )
       SELECT i.body FROM chain c JOIN response_items i ON i.response_id = c.id
        ORDER BY c.depth DESC, i.kind, i.position`,
      [id, tenantId],
    );
    return found.map((row) => JSON.parse(row.body) as StoredItem);
  }

  /**
   * In progress, with no job that will finish it, and saved so by an instance that is gone (this
   * one's own are still being answered).
   */
  async listInterrupted(): Promise<Array<{ tenantId: string; id: string }>> {
    const found = await rows<{ id: string; tenant_id: string }>(
      this.pool,
      `SELECT r.id, r.tenant_id FROM responses r
        WHERE r.status = 'in_progress' AND NOT r.deleted
          AND r.runner IS DISTINCT FROM $1
          AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.response_id = r.id AND j.state != 'done')
          AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = r.runner AND i.seen_at > now() - $2 * interval '1 millisecond')`,
      [this.instances.id, this.instances.leaseMs],
    );
    return found.map((row) => ({ tenantId: row.tenant_id, id: row.id }));
  }

  async findItem(tenantId: string, itemId: string): Promise<StoredItem | undefined> {
    const row =
      (await first<{ body: string }>(
        this.pool,
        'SELECT body FROM response_items WHERE tenant_id = $1 AND item_id = $2 LIMIT 1',
        [tenantId, itemId],
      )) ??
      (await first<{ body: string }>(
        this.pool,
        'SELECT body FROM conversation_items WHERE tenant_id = $1 AND item_id = $2 LIMIT 1',
        [tenantId, itemId],
      ));
    return row ? (JSON.parse(row.body) as StoredItem) : undefined;
  }

  private async exists(tenantId: string, id: string): Promise<boolean> {
    return (
      (await first(this.pool, 'SELECT 1 FROM responses WHERE id = $1 AND tenant_id = $2 AND NOT deleted', [
        id,
        tenantId,
      ])) !== undefined
    );
  }

  /** Who is answering a response in progress: this instance, the one saving it so. */
  private runnerOf(response: ResponseObject): string | null {
    return response.status === 'in_progress' ? this.instances.id : null;
  }
}

async function insertItems(
  client: pg.PoolClient,
  responseId: string,
  tenantId: string,
  kind: number,
  items: ReadonlyArray<{ id: string }>,
): Promise<void> {
  if (items.length === 0) return;
  await client.query(
    `INSERT INTO response_items (response_id, tenant_id, kind, position, item_id, body)
     SELECT $1, $2, $3, t.ord - 1, t.item_id, t.body FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS t (item_id, body, ord)`,
    [responseId, tenantId, kind, items.map((item) => item.id), items.map((item) => JSON.stringify(item))],
  );
}
