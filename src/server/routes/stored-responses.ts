/**
 * GET (JSON or a resumed event stream) and DELETE /v1/responses/{id}, its input_items, and
 * POST /v1/responses/{id}/cancel.
 */
import type { FastifyInstance } from 'fastify';
import type { BackgroundResponses } from '../../engine/background-responses.js';
import type { ResponseStreams } from '../../engine/response-streams.js';
import type { StoredResponses } from '../../engine/stored-responses.js';
import { listQuerySchema, normalizeListQuery } from '../../protocol/list-query.js';
import { retrieveQuerySchema } from '../../protocol/retrieve-query.js';
import { parseRequestBody } from '../validate-request.js';
import { streamEvents } from './responses.js';

type IdParams = { Params: { id: string }; Querystring: Record<string, unknown> };

export interface StoredResponseRouteDeps {
  responses: StoredResponses;
  streams: ResponseStreams;
  background: BackgroundResponses;
}

export function registerStoredResponseRoutes(app: FastifyInstance, deps: StoredResponseRouteDeps): void {
  app.get<IdParams>('/v1/responses/:id', async (request, reply) => {
    const query = parseRequestBody(retrieveQuerySchema, normalizeListQuery(request.query));
    const tenantId = request.principal!.tenantId;
    if (query.stream !== true) return deps.responses.get(tenantId, request.params.id, query.include);
    const follower = await deps.streams.open(tenantId, request.params.id, query.starting_after ?? -1);
    return streamEvents(reply, String(request.id), (write, signal) => follower.run(write, signal));
  });

  app.delete<IdParams>('/v1/responses/:id', async (request) =>
    deps.responses.delete(request.principal!.tenantId, request.params.id),
  );

  app.post<IdParams>('/v1/responses/:id/cancel', async (request) =>
    deps.background.cancel(request.principal!.tenantId, request.params.id),
  );

  app.get<IdParams>('/v1/responses/:id/input_items', async (request) => {
    const query = parseRequestBody(listQuerySchema, normalizeListQuery(request.query));
    return deps.responses.listInputItems(
      request.principal!.tenantId,
      request.params.id,
      { limit: query.limit ?? 20, order: query.order ?? 'desc', after: query.after, before: query.before },
      query.include,
    );
  });
}
