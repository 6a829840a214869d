/** The Conversations API: /v1/conversations and their items. */
import type { FastifyInstance } from 'fastify';
import type { Conversations } from '../../engine/conversations.js';
import {
  addItemsSchema,
  createConversationSchema,
  updateConversationSchema,
} from '../../protocol/conversations.js';
import { listQuerySchema, normalizeListQuery } from '../../protocol/list-query.js';
import { parseRequestBody } from '../validate-request.js';

type Params = { Params: { id: string; itemId: string }; Querystring: Record<string, unknown> };

export function registerConversationRoutes(app: FastifyInstance, conversations: Conversations): void {
  app.post('/v1/conversations', async (request) => {
    const body = parseRequestBody(createConversationSchema, request.body ?? {});
    return conversations.create(request.principal!.tenantId, body.items ?? [], body.metadata ?? {});
  });

  app.get<Params>('/v1/conversations/:id', async (request) =>
    conversations.get(request.principal!.tenantId, request.params.id),
  );

  app.post<Params>('/v1/conversations/:id', async (request) => {
    const body = parseRequestBody(updateConversationSchema, request.body);
    return conversations.update(request.principal!.tenantId, request.params.id, body.metadata ?? {});
  });

  app.delete<Params>('/v1/conversations/:id', async (request) =>
    conversations.delete(request.principal!.tenantId, request.params.id),
  );

  app.get<Params>('/v1/conversations/:id/items', async (request) => {
    const query = parseRequestBody(listQuerySchema, normalizeListQuery(request.query));
    return conversations.listItems(
      request.principal!.tenantId,
      request.params.id,
      { limit: query.limit ?? 20, order: query.order ?? 'desc', after: query.after, before: query.before },
      query.include,
    );
  });

  app.post<Params>('/v1/conversations/:id/items', async (request) => {
    const body = parseRequestBody(addItemsSchema, request.body);
    return conversations.addItems(request.principal!.tenantId, request.params.id, body.items);
  });

  app.get<Params>('/v1/conversations/:id/items/:itemId', async (request) => {
    const query = parseRequestBody(listQuerySchema, normalizeListQuery(request.query));
    return conversations.getItem(
      request.principal!.tenantId,
      request.params.id,
      request.params.itemId,
      query.include,
    );
  });

  app.delete<Params>('/v1/conversations/:id/items/:itemId', async (request) =>
    conversations.deleteItem(request.principal!.tenantId, request.params.id, request.params.itemId),
  );
}
