/** GET/DELETE /v1/responses/{id} and GET /v1/responses/{id}/input_items. */
import type { FastifyInstance } from 'fastify';
import type { StoredResponses } from '../../engine/stored-responses.js';
import { invalidRequest } from '../../errors.js';
import { listQuerySchema, normalizeListQuery } from '../schemas/list-query.js';
import { parseRequestBody } from '../validate-request.js';

type IdParams = { Params: { id: string }; Querystring: Record<string, unknown> };

export function registerStoredResponseRoutes(app: FastifyInstance, responses: StoredResponses): void {
  app.get<IdParams>('/v1/responses/:id', async (request) => {
    if (request.query.stream === 'true') {
      throw invalidRequest(
        'Streaming a stored response is not available on this gateway yet.',
        'stream',
        'unsupported_parameter',
      );
    }
    return responses.get(request.principal!.tenantId, request.params.id);
  });

  app.delete<IdParams>('/v1/responses/:id', async (request) =>
    responses.delete(request.principal!.tenantId, request.params.id),
  );

  app.get<IdParams>('/v1/responses/:id/input_items', async (request) => {
    const query = parseRequestBody(listQuerySchema, normalizeListQuery(request.query));
    return responses.listInputItems(request.principal!.tenantId, request.params.id, {
      limit: query.limit ?? 20,
      order: query.order ?? 'desc',
      after: query.after,
      before: query.before,
    });
  });
}
