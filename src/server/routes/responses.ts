/** POST /v1/responses: validate, start the engine, answer as JSON or as an event stream. */
import type { FastifyInstance } from 'fastify';
import type { ResponseEngine } from '../../engine/response-engine.js';
import { invalidRequest } from '../../errors.js';
import { openEventStream, writeEvent } from '../sse-writer.js';
import { parseCreateResponseBody } from '../validate-request.js';

export function registerResponseRoutes(app: FastifyInstance, engine: ResponseEngine): void {
  app.post('/v1/responses', async (request, reply) => {
    const body = parseCreateResponseBody(request.body);
    if (body.background === true) {
      throw invalidRequest(
        'Background mode is not available on this gateway yet.',
        'background',
        'unsupported_parameter',
      );
    }
    const stream = body.stream === true;
    const abort = new AbortController();
    // A client that goes away stops the upstream call.
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const started = await engine.start(body, {
      tenantId: request.principal!.tenantId,
      stream,
      signal: abort.signal,
    });
    if (!stream) {
      const response = await started.run(() => {});
      return reply.send(response);
    }
    reply.hijack();
    const res = reply.raw;
    openEventStream(res, { 'x-request-id': String(request.id) });
    try {
      await started.run((event) => writeEvent(res, event));
    } finally {
      res.end();
    }
  });
}
