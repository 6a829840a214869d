/** POST /v1/responses/input_tokens and POST /v1/responses/compact. */
import type { FastifyInstance } from 'fastify';
import type { ResponseEngine } from '../../engine/response-engine.js';
import { compactBodySchema } from '../../protocol/compact.js';
import { inputTokensBodySchema } from '../../protocol/input-tokens.js';
import { parseRequestBody } from '../validate-request.js';

export function registerResponseContextRoutes(app: FastifyInstance, engine: ResponseEngine): void {
  app.post('/v1/responses/input_tokens', async (request) => {
    const body = parseRequestBody(inputTokensBodySchema, request.body ?? {});
    return engine.countInputTokens(body, request.principal!.tenantId);
  });

  app.post('/v1/responses/compact', { config: { limited: true } }, async (request, reply) => {
    const body = parseRequestBody(compactBodySchema, request.body);
    const abort = new AbortController();
    // A client that goes away stops the summarisation call.
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    return engine.compact(body, { tenantId: request.principal!.tenantId, signal: abort.signal });
  });
}
