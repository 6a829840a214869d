/**
 * Every request counted once it is answered (an event stream: once it ended), by its route
 * pattern (not its URL, whose ids would make a series each) and, for model calls, the model asked.
 */
import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../observability/metrics.js';

export function registerRequestMetrics(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const model = request.routeOptions.config.limited === true ? modelOf(request.body) : '';
    metrics.request(route, request.method, reply.statusCode, model, reply.elapsedTime / 1000);
    done();
  });
}

function modelOf(body: unknown): string {
  const model = (body as { model?: unknown } | undefined)?.model;
  return typeof model === 'string' ? model : '';
}
