/** The Conversations API over the store: objects in OpenAI's shapes, scoped by tenant. */
import { GatewayError } from '../errors.js';
import { newId } from '../ids.js';
import { nowSeconds } from '../now-seconds.js';
import type { InputItem } from '../protocol/create-response.js';
import type { ConversationRecord, Page, PageQuery, Store, StoredItem } from '../store/types.js';
import { showItems } from './reasoning-visibility.js';
import { itemsWithIds, rejectDuplicateItems } from './resolve-context.js';

export interface ConversationObject extends ConversationRecord {
  object: 'conversation';
}

export class Conversations {
  constructor(private readonly store: Store) {}

  async create(
    tenantId: string,
    items: readonly InputItem[],
    metadata: Record<string, string>,
  ): Promise<ConversationObject> {
    const record: ConversationRecord = { id: newId('conv'), created_at: nowSeconds(), metadata };
    const stored = await itemsWithIds(items, tenantId, this.store, 'items');
    rejectDuplicateItems(stored, [], 'items');
    await this.store.conversations.create(tenantId, record, stored);
    return toObject(record);
  }

  async get(tenantId: string, id: string): Promise<ConversationObject> {
    return toObject(orNotFound(await this.store.conversations.get(tenantId, id), id));
  }

  async update(tenantId: string, id: string, metadata: Record<string, string>): Promise<ConversationObject> {
    return toObject(orNotFound(await this.store.conversations.updateMetadata(tenantId, id, metadata), id));
  }

  async delete(
    tenantId: string,
    id: string,
  ): Promise<{ id: string; object: 'conversation.deleted'; deleted: true }> {
    if (!(await this.store.conversations.delete(tenantId, id))) throw conversationNotFound(id);
    return { id, object: 'conversation.deleted', deleted: true };
  }

  async listItems(
    tenantId: string,
    id: string,
    query: PageQuery,
    include: readonly string[] = [],
  ): Promise<Page<StoredItem> & { object: 'list' }> {
    const page = orNotFound(await this.store.conversations.listItems(tenantId, id, query), id);
    return { object: 'list', ...page, data: showItems(page.data, include) };
  }

  async addItems(
    tenantId: string,
    id: string,
    items: readonly InputItem[],
  ): Promise<Page<StoredItem> & { object: 'list' }> {
    const stored = await itemsWithIds(items, tenantId, this.store, 'items');
    const present: StoredItem[] = [];
    for (const item of stored) {
      const found = await this.store.conversations.getItem(tenantId, id, item.id);
      if (found) present.push(found);
    }
    rejectDuplicateItems(stored, present, 'items');
    if (!(await this.store.conversations.appendItems(tenantId, id, stored))) throw conversationNotFound(id);
    return {
      object: 'list',
      data: stored,
      first_id: stored[0]?.id ?? null,
      last_id: stored[stored.length - 1]?.id ?? null,
      has_more: false,
    };
  }

  async getItem(
    tenantId: string,
    id: string,
    itemId: string,
    include: readonly string[] = [],
  ): Promise<StoredItem> {
    await this.get(tenantId, id);
    const item = await this.store.conversations.getItem(tenantId, id, itemId);
    if (!item) throw itemNotFound(itemId);
    return showItems([item], include)[0]!;
  }

  /** Deletes one item; OpenAI answers with the conversation. */
  async deleteItem(tenantId: string, id: string, itemId: string): Promise<ConversationObject> {
    const conversation = await this.get(tenantId, id);
    if (!(await this.store.conversations.deleteItem(tenantId, id, itemId))) throw itemNotFound(itemId);
    return conversation;
  }
}

function toObject(record: ConversationRecord): ConversationObject {
  return { id: record.id, object: 'conversation', created_at: record.created_at, metadata: record.metadata };
}

function orNotFound<T>(value: T | undefined, id: string): T {
  if (value === undefined) throw conversationNotFound(id);
  return value;
}

export function conversationNotFound(id: string): GatewayError {
  return new GatewayError(404, `Conversation with id '${id}' not found.`, {
    type: 'invalid_request_error',
    code: null,
  });
}

function itemNotFound(id: string): GatewayError {
  return new GatewayError(404, `Item with id '${id}' not found.`, {
    type: 'invalid_request_error',
    code: null,
  });
}
